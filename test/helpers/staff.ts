import { COOKIE } from '../../src/plugins/cookies.js';
import { createStaffSession } from '../../src/modules/staff/staff.sessions.js';
import type { StaffRole } from '../../src/modules/staff/staff.table.js';
import { hashRecoveryCodes, newRecoveryCodes, newTotpSecret, totpCode, totpStep } from '../../src/modules/staff/totp.js';
import { Browser, csrfToken, type TestApp } from './app.js';

/** A password that passes the policy (S1–S3). */
export const STAFF_PASSWORD = 'une tortue verte traverse la route';


export interface SeededStaff {
  id: number;
  email: string;
  role: StaffRole;
  password: string;
  totpSecret: string;
  /** The ten recovery codes in clear (only their digests are stored). */
  recoveryCodes: string[];
}

let counter = 0;

/**
 * A fully enrolled staff member (password + TOTP + recovery codes), inserted directly, as if the
 * setup link had been used. `enrolled: false` leaves password and TOTP unset (setup pending).
 */
export async function seedStaff(
  t: TestApp,
  fields: { email?: string; role?: StaffRole; password?: string; enrolled?: boolean; disabled?: boolean } = {},
): Promise<SeededStaff> {
  const role = fields.role ?? 'agent';
  const email = (fields.email ?? `${role}-${++counter}@cartotheque.test`).toLowerCase();
  const password = fields.password ?? STAFF_PASSWORD;
  const enrolled = fields.enrolled ?? true;
  const totpSecret = newTotpSecret();
  const recoveryCodes = newRecoveryCodes();
  const now = t.clock.now();
  const row = await t.db
    .insertInto('staff')
    .values({
      email,
      role,
      password_hash: enrolled ? await t.hasher.hash(password) : null,
      totp_secret: enrolled ? t.secrets.seal(totpSecret) : null,
      totp_enabled_at: enrolled ? now : null,
      last_totp_step: null,
      created_at: now,
      updated_at: now,
      disabled_at: fields.disabled ? now : null,
      last_login_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  if (enrolled) {
    const hashes = await hashRecoveryCodes(t.hasher, recoveryCodes);
    await t.db
      .insertInto('staff_recovery_codes')
      .values(hashes.map((code_hash) => ({ staff_id: id, code_hash, created_at: now, used_at: null })))
      .execute();
  }
  t.hasher.hashCalls = 0;
  t.hasher.verifyCalls = 0;
  t.hasher.verified.length = 0;
  return { id, email, role, password, totpSecret, recoveryCodes };
}

/** The code the member's authenticator app shows at the test clock's current time. */
export function currentTotp(t: TestApp, secret: string, offsetSteps = 0): string {
  return totpCode(secret, t.clock.now() + offsetSteps * 30_000);
}

/** Moves the test clock to the start of the next 30-second TOTP step (a fresh code). */
export function nextTotpStep(t: TestApp): void {
  const next = (totpStep(t.clock.now()) + 1) * 30_000;
  t.clock.set(next);
}

export type StaffBrowser = Browser & { staff: SeededStaff };

/**
 * Signs `staff` in through the real staff login: e-mail + password, then the current TOTP code.
 * Moves the clock to a fresh TOTP step first so a code used earlier is never a replay.
 */
export async function signInStaff(t: TestApp, staff: SeededStaff, browser = new Browser(t.app)): Promise<StaffBrowser> {
  const first = await browser.submit('/back-office/connexion', '/back-office/connexion', { email: staff.email, mot_de_passe: staff.password });
  if (first.statusCode !== 303) throw new Error(`staff login failed: ${first.statusCode}`);
  nextTotpStep(t);
  const codePage = await browser.get('/back-office/connexion/code');
  const second = await browser.post('/back-office/connexion/code', { _csrf: csrfToken(codePage.body), code: currentTotp(t, staff.totpSecret) });
  if (second.statusCode !== 303) throw new Error(`staff second factor failed: ${second.statusCode}`);
  return Object.assign(browser, { staff });
}

/**
 * A browser signed in as a new staff member of `role` (default agent), ready for back-office
 * requests: `const admin = await createStaffAndSignIn(t, { role: 'admin' }); await admin.get('/back-office/equipe')`.
 * By default the rows and a real session (both factors passed) are created directly, which is
 * fast; `viaLogin: true` goes through the real login pages instead. `browser.staff` holds the
 * member (id, email, password, TOTP secret, recovery codes).
 */
export async function createStaffAndSignIn(
  t: TestApp,
  options: { role?: StaffRole; email?: string; viaLogin?: boolean; browser?: Browser } = {},
): Promise<StaffBrowser> {
  const staff = await seedStaff(t, { role: options.role ?? 'agent', email: options.email });
  const browser = options.browser ?? new Browser(t.app);
  if (options.viaLogin) return signInStaff(t, staff, browser);
  const session = await createStaffSession(t.db, t.clock, staff.id, { ip: '127.0.0.1', userAgent: 'test' }, true);
  browser.jar.cookies.set(COOKIE.staff, session.token);
  return Object.assign(browser, { staff });
}
