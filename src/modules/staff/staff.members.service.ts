import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Executor } from '../../db/executor.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { formatDateTime, formatDuration } from '../../shared/format.js';
import type { SecretBox } from '../../shared/secret-box.js';
import { hasLineBreak, isValidEmail, normalizeEmail } from '../../shared/validation.js';
import { staffSetupMail } from '../../views/mail/templates.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { issueLinkToken, revokeLinkTokens } from '../auth-core/link-tokens.js';
import { clearIdentifierThrottle } from '../auth-core/limits.js';
import { enqueueMail } from '../mail/mail.service.js';
import { fail, ok, type Result } from '../../shared/result.js';
import * as repo from './staff.repository.js';
import { deleteSessionsOfStaff } from './staff.sessions.js';
import { STAFF_ROLES, type StaffRole } from './staff.table.js';

/** Staff members: who they are, their creation, setup links, enabling and disabling. */

export interface StaffDeps {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
}

/** What reads or writes a TOTP secret needs too: they are stored sealed (S40). */
export type StaffSecretDeps = StaffDeps & { secrets: SecretBox };

export type Origin = AuditOrigin & { ip: string };

/** A staff member as the subject of a setup link. */
export function staffSubject(staffId: number) {
  return { type: 'staff' as const, id: staffId };
}

/** Canonical (lower-cased) staff e-mail, or null when it is not one. */
export function canonicalStaffEmail(input: string): string | null {
  const email = normalizeEmail(input).toLowerCase();
  return isValidEmail(email) && !hasLineBreak(email) ? email : null;
}

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

export type StaffStatus = 'setup_pending' | 'active' | 'disabled';

export function staffStatus(staff: { disabled_at: number | null; totp_enabled_at: number | null; password_hash: string | null }): StaffStatus {
  if (staff.disabled_at !== null) return 'disabled';
  return staff.password_hash !== null && staff.totp_enabled_at !== null ? 'active' : 'setup_pending';
}

// ---- creation and setup links -----------------------------------------------------------------

/** Why a change to the team was refused (fr.staff has a sentence for each, typed). */
export type StaffMemberError = 'INVALID_EMAIL' | 'INVALID_ROLE' | 'DUPLICATE_EMAIL' | 'NOT_FOUND' | 'SELF' | 'LAST_ADMIN';

/**
 * How a setup link reaches its member: mailed (the back office: S37, no staff member ever sees a
 * link meant for someone else), or printed for the operator on the server's terminal (the CLI,
 * the only way in for the first admin).
 */
export type SetupLinkDelivery = 'mail' | 'print';

export interface Actor {
  type: 'operator' | 'staff';
  id: string;
}

/** S11/S13: a link token (auth-core/link-tokens.ts); the link's origin is PUBLIC_URL only. */
async function issueSetupLink(db: Executor, deps: Pick<StaffDeps, 'clock' | 'config'>, staffId: number) {
  const { clock, config } = deps;
  const { token, expiresAt } = await issueLinkToken(db, clock, { purpose: 'staff_setup', subject: staffSubject(staffId), ttlSeconds: config.resetTokenTtlSeconds });
  return { link: `${config.publicUrl}/back-office/activation?token=${token}`, expiresAt };
}

async function queueSetupMail(db: Executor, deps: Pick<StaffDeps, 'clock' | 'config'>, email: string, link: string, expiresAt: number) {
  const { clock, config } = deps;
  const mail = staffSetupMail({
    brand: config.brandName,
    link,
    duration: formatDuration(config.resetTokenTtlSeconds),
    until: formatDateTime(expiresAt, config.displayTimezone),
  });
  await enqueueMail(db, clock, { ...mail, kind: 'staff_setup_link', to: email, accountId: null });
}

/**
 * A new staff member, without password or second factor: they choose both through the one-time
 * setup link returned here (printed by the CLI, shown once to the admin and, when `sendMail`, mailed).
 */
export async function createStaff(
  deps: StaffDeps,
  input: { email: string; role: string },
  origin: AuditOrigin,
  actor: Actor,
  delivery: SetupLinkDelivery,
): Promise<Result<{ id: number; email: string; role: StaffRole; link: string | null; expiresAt: number }, StaffMemberError>> {
  const email = canonicalStaffEmail(input.email);
  if (!email) return fail('INVALID_EMAIL', 'email');
  if (!isStaffRole(input.role)) return fail('INVALID_ROLE', 'role');
  const role = input.role;
  const { db, clock } = deps;
  return db.transaction().execute(async (trx) => {
    if (await repo.findStaffByEmail(trx, email)) return fail('DUPLICATE_EMAIL', 'email');
    const now = clock.now();
    const id = await repo.insertStaff(trx, {
      email,
      role,
      password_hash: null,
      totp_secret: null,
      totp_enabled_at: null,
      last_totp_step: null,
      created_at: now,
      updated_at: now,
      disabled_at: null,
      last_login_at: null,
    });
    const { link, expiresAt } = await issueSetupLink(trx, deps, id);
    if (delivery === 'mail') await queueSetupMail(trx, deps, email, link, expiresAt);
    await recordAudit(trx, clock, origin, { event: 'staff.created', outcome: 'success', actorType: actor.type, actorId: actor.id, target: email, details: { role, delivery } });
    return ok({ id, email, role, link: delivery === 'print' ? link : null, expiresAt });
  });
}

/**
 * A new setup link for an existing member (lost phone, expired link). Using it replaces the
 * password and the second factor; until then the member keeps signing in as before.
 */
export async function resendSetupLink(deps: StaffDeps, staffId: number, origin: AuditOrigin, actor: Actor): Promise<Result<{ id: number; email: string; expiresAt: number }, StaffMemberError>> {
  const { db, clock } = deps;
  return db.transaction().execute(async (trx) => {
    const staff = await repo.findStaffById(trx, staffId);
    if (!staff) return fail('NOT_FOUND');
    // Mailed only: the admin who asks for it never sees it (S37).
    const { link, expiresAt } = await issueSetupLink(trx, deps, staff.id);
    await queueSetupMail(trx, deps, staff.email, link, expiresAt);
    await recordAudit(trx, clock, origin, { event: 'staff.setup_link.issued', outcome: 'success', actorType: actor.type, actorId: actor.id, target: staff.email });
    return ok({ id: staff.id, email: staff.email, expiresAt });
  });
}

/**
 * The operator's way back in when the last admin lost phone and recovery codes (CLI
 * `staff:reset`): every session of the member ends and a new setup link is printed on the server's
 * terminal; using it replaces password and second factor. Their login slow-down is lifted.
 */
export async function resetStaffAccess(deps: StaffDeps, rawEmail: string, origin: AuditOrigin, actor: Actor): Promise<Result<{ email: string; link: string; expiresAt: number; sessionsEnded: number }, StaffMemberError>> {
  const email = canonicalStaffEmail(rawEmail);
  if (!email) return fail('INVALID_EMAIL', 'email');
  const { db, clock } = deps;
  return db.transaction().execute(async (trx) => {
    const staff = await repo.findStaffByEmail(trx, email);
    if (!staff) return fail('NOT_FOUND', 'email');
    const sessionsEnded = await deleteSessionsOfStaff(trx, staff.id);
    const { link, expiresAt } = await issueSetupLink(trx, deps, staff.id);
    await clearIdentifierThrottle(trx, `staff:${email}`);
    await recordAudit(trx, clock, origin, { event: 'staff.access_reset', outcome: 'success', actorType: actor.type, actorId: actor.id, target: email, details: { sessionsEnded } });
    return ok({ email, link, expiresAt, sessionsEnded });
  });
}

/** Disable (every session and open link dies at once) or enable again. */
export async function setStaffEnabled(
  deps: StaffDeps,
  staffId: number,
  enabled: boolean,
  origin: AuditOrigin,
  actor: Actor & { staffId?: number },
): Promise<Result<{ email: string }, StaffMemberError>> {
  const { db, clock } = deps;
  return db.transaction().execute(async (trx) => {
    const staff = await repo.findStaffById(trx, staffId);
    if (!staff) return fail('NOT_FOUND');
    // An admin cannot lock themselves out, nor remove the last admin able to manage staff.
    if (!enabled && actor.staffId === staff.id) return fail('SELF');
    if (!enabled && staff.role === 'admin' && staff.disabled_at === null && (await repo.countActiveAdmins(trx)) <= 1) return fail('LAST_ADMIN');
    const now = clock.now();
    let sessionsRevoked = 0;
    if (enabled) {
      await repo.setStaffDisabled(trx, staff.id, null, now);
    } else {
      await repo.setStaffDisabled(trx, staff.id, staff.disabled_at ?? now, now);
      sessionsRevoked = await deleteSessionsOfStaff(trx, staff.id);
      await revokeLinkTokens(trx, clock, staffSubject(staff.id), 'disabled');
    }
    await recordAudit(trx, clock, origin, {
      event: enabled ? 'staff.enabled' : 'staff.disabled',
      outcome: 'success',
      actorType: actor.type,
      actorId: actor.id,
      target: staff.email,
      details: enabled ? undefined : { sessionsRevoked },
    });
    return ok({ email: staff.email });
  });
}

// ---- reading -----------------------------------------------------------------------------------

export async function listStaffMembers(db: Executor) {
  return repo.listStaff(db);
}

export async function findStaffMember(db: Executor, id: number) {
  return repo.findStaffById(db, id);
}

/**
 * S40: seals every TOTP secret still in clear or under an older key (at start, and after a key
 * rotation): the enrolled ones and those of a re-enrolment waiting for its confirming code.
 */
export async function resealStaffSecrets(db: Executor, secrets: SecretBox): Promise<number> {
  let resealed = 0;
  for (const row of await repo.listTotpSecrets(db)) {
    if (!secrets.needsResealing(row.totp_secret)) continue;
    await repo.replaceTotpSecret(db, row.id, row.totp_secret, secrets.seal(secrets.open(row.totp_secret)));
    resealed++;
  }
  for (const row of await repo.listPendingTotpSecrets(db)) {
    if (!secrets.needsResealing(row.pending_totp_secret)) continue;
    await repo.replacePendingTotpSecret(db, row.id, row.pending_totp_secret, secrets.seal(secrets.open(row.pending_totp_secret)));
    resealed++;
  }
  return resealed;
}

export async function countRecoveryCodesLeft(db: Executor, staffId: number): Promise<number> {
  return repo.countUnusedRecoveryCodes(db, staffId);
}
