import { COOKIE } from '../../src/plugins/cookies.js';
import type { Role } from '../../src/modules/company/company.table.js';
import { createSession, issueRememberToken } from '../../src/modules/session/session.service.js';
import { STRONG_PASSWORD, seedAccount, seedMember } from '../helpers/accounts.js';
import { Browser, csrfToken, type TestApp } from '../helpers/app.js';

export { STRONG_PASSWORD };

const hashes = new WeakMap<TestApp, string>();

/** One argon2 hash of STRONG_PASSWORD per app, reused for every seeded person (tests stay fast). */
async function strongHash(t: TestApp): Promise<string> {
  let hash = hashes.get(t);
  if (!hash) hashes.set(t, (hash = await t.hasher.hash(STRONG_PASSWORD)));
  return hash;
}

/** A company whose holder (administrator) has a password. */
export async function seedCompany(t: TestApp, fields: { code: string; company: string; email: string }) {
  const account = await seedAccount(t, { ...fields, password: null });
  await t.db.updateTable('accounts').set({ password_hash: await strongHash(t), activated_at: t.clock.now() }).where('id', '=', account.id).execute();
  return { companyId: account.companyId, holderId: account.id, code: fields.code };
}

/** A person (new, or found by e-mail) joined to a company with a role. */
export async function addMember(t: TestApp, companyId: number, fields: { email: string; role: Role; givenName?: string; familyName?: string; password?: boolean }): Promise<number> {
  const { password, ...rest } = fields;
  return (await seedMember(t, { companyId, ...rest, password: password === false ? null : STRONG_PASSWORD })).id;
}

/** A browser signed in as the person, to the company (a real session row, as the login makes it). */
export async function signedIn(t: TestApp, accountId: number, companyId: number, options: { remembered?: boolean } = {}): Promise<Browser> {
  const browser = new Browser(t.app);
  if (options.remembered) {
    const token = await issueRememberToken(t.db, t.clock, { accountId, companyId });
    browser.jar.cookies.set(COOKIE.remember, token.cookieValue);
    return browser;
  }
  const session = await createSession(t.db, t.clock, { accountId, companyId }, { ip: '127.0.0.1', userAgent: 'test' });
  browser.jar.cookies.set(COOKIE.session, session.token);
  return browser;
}

/** A CSRF token of this browser, from a page every visitor gets. */
export async function tokenOf(browser: Browser): Promise<string> {
  return csrfToken((await browser.get('/connexion?reconnexion=1&next=%2Fespace-pro')).body);
}

/** Posts a form with this browser's CSRF token. */
export async function post(browser: Browser, url: string, form: Record<string, string | string[]> = {}) {
  return browser.post(url, { _csrf: await tokenOf(browser), ...form });
}

/** The link in an invitation mail's text. */
export function invitationLink(text: string): string {
  const match = /https?:\/\/[^/\s]+(\/invitation\?token=[A-Za-z0-9_-]{43})/.exec(text);
  if (!match) throw new Error('no invitation link in the mail');
  return match[1]!;
}

export async function lastMailTo(t: TestApp, to: string) {
  return t.db.selectFrom('outbox').selectAll().where('recipient', '=', to).orderBy('id', 'desc').executeTakeFirstOrThrow();
}

export async function rolesOf(t: TestApp, companyId: number) {
  const rows = await t.db.selectFrom('memberships').select(['account_id', 'role']).where('company_id', '=', companyId).orderBy('account_id').execute();
  return rows.map((r) => `${r.account_id}:${r.role}`);
}

/** The body of an answer, without what differs per request (CSRF tokens, nonces). */
export function stable(body: string): string {
  return body.replace(/value="[A-Za-z0-9_-]{30,}"/g, 'value="…"').replace(/nonce="[^"]*"/g, '');
}
