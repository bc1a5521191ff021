import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { Config } from '../../config.js';
import type { Executor } from '../../db/executor.js';
import { MINUTE_MS } from '../../shared/clock.js';
import { randomToken, sha256 } from '../../shared/crypto.js';
import { describeUserAgent, ipPrefix } from '../../shared/device.js';
import { formatDateTime, formatShortDateTime } from '../../shared/format.js';
import type { Lang } from '../../shared/i18n/languages.js';
import { passkeyNoticeMail, supportContact } from '../../views/mail/templates.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { type AttemptDeps, type AttemptOutcome, attemptCode } from '../auth-core/attempts.js';
import { clientKey, LIMITS, reserveLimit } from '../auth-core/limits.js';
import { enqueueMail } from '../mail/mail.service.js';
import * as repo from './passkeys.repository.js';
import type { Owner } from './passkeys.repository.js';
import type { ChallengePurpose, Passkey } from './passkeys.table.js';

export type { Owner } from './passkeys.repository.js';

/** S48: a challenge is answered within this time or never. */
export const CHALLENGE_TTL_MS = 5 * MINUTE_MS;
/** S49: adding or removing a passkey needs a sign-in at most this old. */
export const RECENT_SIGN_IN_MS = 10 * MINUTE_MS;
/** A person or member keeps at most this many passkeys. */
export const MAX_PASSKEYS_PER_OWNER = 10;
export const PASSKEY_NAME_MAX_LENGTH = 60;
/** Bounds the work on what a browser posts (an assertion is well under 4 KB, an attestation "none" too). */
export const RESPONSE_MAX_LENGTH = 16_384;

export interface PasskeyDeps extends AttemptDeps {
  config: Config;
}

/**
 * Who a ceremony is for, and where their notices go. `customer` is set for a person: the mail
 * greets the company and names the customer code; absent for a staff member.
 */
export interface OwnerContext {
  owner: Owner;
  /** The audit's actor and the authenticator's account name: the customer code or the staff e-mail. */
  label: string;
  email: string;
  customer?: { company: string; code: string; lang: Lang };
}

/**
 * S48: the RP ID is PUBLIC_URL's host and the only accepted origin is PUBLIC_URL's origin, never
 * anything from the request (Host, X-Forwarded-Host). Changing PUBLIC_URL's host orphans every
 * existing passkey (README, "Passkeys").
 */
export function relyingParty(config: Pick<Config, 'publicUrl' | 'brandName'>) {
  const url = new URL(config.publicUrl);
  return { rpID: url.hostname, origin: url.origin, rpName: config.brandName };
}

/** The single sign-on `amr` (RFC 8176) and `acr` of a sign-in method. See the module README. */
export function authenticationContext(method: string | null | undefined): { amr: string[]; acr: 'password' | 'passkey' } {
  // A passkey with user verification: proof of possession of a key (hardware or synced software:
  // the authenticator does not say, hence "pop" and not "hwk"/"swk") unlocked by a PIN or a
  // biometric (not said either, hence "mfa" and not "pin"/"fpt"/"face").
  return method === 'passkey' ? { amr: ['pop', 'mfa'], acr: 'passkey' } : { amr: ['pwd'], acr: 'password' };
}

function parseJson(text: string): Record<string, any> | null {
  if (text.length === 0 || text.length > RESPONSE_MAX_LENGTH) return null;
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The challenge the browser signed, read from clientDataJSON; checked against our row afterwards. */
function challengeOf(response: Record<string, any>): string | null {
  const clientData = response.response?.clientDataJSON;
  if (typeof clientData !== 'string' || !BASE64URL.test(clientData)) return null;
  try {
    const parsed = JSON.parse(isoBase64URL.toUTF8String(clientData));
    return typeof parsed?.challenge === 'string' && BASE64URL.test(parsed.challenge) && parsed.challenge.length <= 128 ? parsed.challenge : null;
  } catch {
    return null;
  }
}

/** The credential id an assertion names, when it has the form of one (≤ 1023 bytes, base64url). */
export function credentialIdOf(text: string): string | null {
  return credentialIdIn(parseJson(text));
}

function credentialIdIn(parsed: Record<string, any> | null): string | null {
  const id = parsed?.id;
  return typeof id === 'string' && id.length <= 1366 && BASE64URL.test(id) ? id : null;
}

/** Options for the browser, or the client's wait when it asked for too many challenges (S48). */
export type OptionsAnswer<T> = { ok: true; options: T } | { ok: false; retryAfterSeconds: number };

/**
 * A fresh challenge for one ceremony, bound to the browser that asked (S48). The client's use is
 * reserved first (`LIMITS.passkeyChallengesPerIp`, the limits core customers and staff share), in
 * the transaction that stores the challenge.
 */
async function issueChallenge(
  deps: PasskeyDeps,
  input: { ip: string; browserValue: string; purpose: ChallengePurpose; owner: Owner | null; userHandle?: string },
): Promise<{ ok: true; challenge: string } | { ok: false; retryAfterSeconds: number }> {
  const challenge = randomToken(32);
  return deps.db.transaction().execute(async (trx) => {
    const reserved = await reserveLimit(trx, deps.clock, LIMITS.passkeyChallengesPerIp, clientKey(input.ip));
    if (!reserved.ok) return reserved;
    const now = deps.clock.now();
    await repo.insertChallenge(trx, { challenge, browserHash: sha256(input.browserValue), purpose: input.purpose, owner: input.owner, userHandle: input.userHandle, now, expiresAt: now + CHALLENGE_TTL_MS });
    return { ok: true as const, challenge };
  });
}

const transportsOf = (row: Passkey) => (row.transports ? (row.transports.split(',') as AuthenticatorTransportFuture[]) : undefined);
type AuthenticatorTransportFuture = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';

// ---------------------------------------------------------------- registration

/**
 * Options to create a passkey for this owner. Customers get a discoverable credential with user
 * verification required (it will sign them in alone, S48); staff too, though their passkey is a
 * second factor after the password. Existing credentials are excluded (one per authenticator).
 */
export async function startRegistration(deps: PasskeyDeps, ctx: OwnerContext, input: { browserValue: string; ip: string }): Promise<OptionsAnswer<PublicKeyCredentialCreationOptionsJSON>> {
  const rp = relyingParty(deps.config);
  const existing = await repo.listPasskeys(deps.db, ctx.owner);
  const userHandle = existing[0]?.user_handle ?? randomToken(32);
  const issued = await issueChallenge(deps, { ...input, purpose: 'register', owner: ctx.owner, userHandle });
  if (!issued.ok) return issued;
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userName: ctx.label,
    userDisplayName: ctx.customer ? `${ctx.customer.company} (${ctx.customer.code})` : ctx.label,
    userID: isoBase64URL.toBuffer(userHandle),
    challenge: isoBase64URL.toBuffer(issued.challenge),
    timeout: CHALLENGE_TTL_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  });
  return { ok: true, options };
}

export type RegistrationError = 'REGISTRATION_FAILED' | 'DUPLICATE' | 'TOO_MANY';

/**
 * Checks the browser's attestation against the challenge issued to this browser for this owner
 * (consumed whatever happens next: single use), then stores the credential, mails the owner and
 * audits, in one transaction (S39, S49). The caller has checked the recent sign-in.
 */
export async function finishRegistration(
  deps: PasskeyDeps,
  ctx: OwnerContext,
  input: { browserValue: string; response: string; origin: AuditOrigin },
): Promise<{ ok: true; name: string } | { ok: false; code: RegistrationError; reason: string }> {
  const { db, clock, config } = deps;
  const rp = relyingParty(config);
  const refuse = async (code: RegistrationError, reason: string) => {
    await recordAudit(db, clock, input.origin, { event: 'passkey.add_failed', outcome: 'failure', actorType: ctx.owner.type === 'staff' ? 'staff' : 'customer', actorId: ctx.label, accountId: ctx.owner.type === 'person' ? ctx.owner.id : null, target: ctx.label, details: { reason } });
    return { ok: false as const, code, reason };
  };
  const parsed = parseJson(input.response);
  const challenge = parsed ? challengeOf(parsed) : null;
  if (!parsed || !challenge) return refuse('REGISTRATION_FAILED', 'malformed');
  const consumed = await repo.consumeChallenge(db, { challenge, browserHash: sha256(input.browserValue), purpose: 'register', owner: ctx.owner, now: clock.now() });
  if (!consumed?.userHandle) return refuse('REGISTRATION_FAILED', 'challenge');
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response: parsed as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserPresence: true,
      requireUserVerification: true,
    });
  } catch {
    return refuse('REGISTRATION_FAILED', 'rejected');
  }
  if (!verified.verified) return refuse('REGISTRATION_FAILED', 'rejected');
  const info = verified.registrationInfo;
  if (await repo.findPasskeyByCredentialId(db, info.credential.id)) return refuse('DUPLICATE', 'duplicate');
  if ((await repo.countPasskeys(db, ctx.owner)) >= MAX_PASSKEYS_PER_OWNER) return refuse('TOO_MANY', 'too_many');

  const now = clock.now();
  const name = describeUserAgent(input.origin.userAgent).slice(0, PASSKEY_NAME_MAX_LENGTH);
  try {
    await db.transaction().execute(async (trx) => {
      await repo.insertPasskey(trx, {
        owner_type: ctx.owner.type,
        owner_id: ctx.owner.id,
        credential_id: info.credential.id,
        public_key: isoBase64URL.fromBuffer(info.credential.publicKey),
        user_handle: consumed.userHandle!,
        counter: info.credential.counter,
        transports: (info.credential.transports ?? []).join(','),
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp ? 1 : 0,
        name,
        created_at: now,
        last_used_at: null,
      });
      await notify(trx, deps, ctx, { change: 'added', name, origin: input.origin });
      await audit(trx, deps, ctx, input.origin, 'passkey.added', { name, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp });
    });
  } catch (error) {
    // Two registrations of one credential at once: the unique index decides (S48), never a 500.
    if (await repo.findPasskeyByCredentialId(db, info.credential.id)) return refuse('DUPLICATE', 'duplicate');
    throw error;
  }
  return { ok: true, name };
}

async function notify(trx: Executor, deps: PasskeyDeps, ctx: OwnerContext, p: { change: 'added' | 'removed' | 'removed_by_staff'; name: string; count?: number; origin: AuditOrigin }) {
  const { clock, config } = deps;
  // A customer's notice in their language (S51); a staff member's in French, as the back office.
  const lang: Lang = ctx.customer?.lang ?? 'fr';
  const mail = passkeyNoticeMail({
    brand: config.brandName,
    change: p.change,
    customer: ctx.customer,
    name: p.name,
    count: p.count,
    when: formatDateTime(clock.now(), config.displayTimezone, lang),
    browser: describeUserAgent(p.origin.userAgent, lang),
    place: ipPrefix(p.origin.ip),
    support: supportContact(config, lang),
  });
  const kind = ctx.owner.type === 'staff' ? 'staff_factor_changed' : p.change === 'added' ? 'passkey_added' : 'passkey_removed';
  await enqueueMail(trx, clock, { ...mail, kind, to: ctx.email, accountId: ctx.owner.type === 'person' ? ctx.owner.id : null });
}

async function audit(trx: Executor, deps: PasskeyDeps, ctx: OwnerContext, origin: AuditOrigin, event: string, details?: Record<string, string | number | boolean | null>) {
  await recordAudit(trx, deps.clock, origin, {
    event,
    outcome: 'success',
    actorType: ctx.owner.type === 'staff' ? 'staff' : 'customer',
    actorId: ctx.label,
    accountId: ctx.owner.type === 'person' ? ctx.owner.id : null,
    target: ctx.label,
    details,
  });
}

// ---------------------------------------------------------------- list, rename, remove

/** The owner's passkeys for the list (dates in a table: the short form, in the page's language). */
export async function listOwnPasskeys(deps: Pick<PasskeyDeps, 'db' | 'config'>, owner: Owner, lang: Lang = 'fr') {
  const when = (ms: number | null) => (ms === null ? null : formatShortDateTime(Number(ms), deps.config.displayTimezone, lang));
  return (await repo.listPasskeys(deps.db, owner)).map((row) => ({ id: Number(row.id), name: row.name, created: when(row.created_at)!, lastUsed: when(row.last_used_at), synced: row.backed_up === 1 }));
}

export type PasskeyNameError = 'NAME_REQUIRED' | 'NAME_TOO_LONG' | 'NOT_FOUND';

export async function renameOwnPasskey(deps: PasskeyDeps, ctx: OwnerContext, id: number, rawName: string, origin: AuditOrigin): Promise<{ ok: true } | { ok: false; code: PasskeyNameError }> {
  const name = rawName.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (name.length === 0) return { ok: false, code: 'NAME_REQUIRED' };
  if ([...name].length > PASSKEY_NAME_MAX_LENGTH) return { ok: false, code: 'NAME_TOO_LONG' };
  const done = await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.renamePasskey(trx, ctx.owner, id, name))) return false;
    await audit(trx, deps, ctx, origin, 'passkey.renamed', { name });
    return true;
  });
  return done ? { ok: true } : { ok: false, code: 'NOT_FOUND' };
}

/** Removes one of the owner's passkeys (an id that is not theirs changes nothing, S32); mail and audit (S49). */
export async function removeOwnPasskey(deps: PasskeyDeps, ctx: OwnerContext, id: number, origin: AuditOrigin): Promise<boolean> {
  return deps.db.transaction().execute(async (trx) => {
    const removed = await repo.deletePasskey(trx, ctx.owner, id);
    if (!removed) return false;
    await notify(trx, deps, ctx, { change: 'removed', name: removed.name, origin });
    await audit(trx, deps, ctx, origin, 'passkey.removed', { name: removed.name });
    return true;
  });
}

/** An administrator removes every passkey of a customer or a member: audited with its author, the owner told. */
export async function removePasskeysByStaff(deps: PasskeyDeps, ctx: OwnerContext, actor: { email: string }, origin: AuditOrigin): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const count = await repo.deletePasskeysOfOwner(trx, ctx.owner);
    if (count === 0) return 0;
    await notify(trx, deps, ctx, { change: 'removed_by_staff', name: '', count, origin });
    await recordAudit(trx, deps.clock, origin, {
      event: 'passkey.removed_by_staff',
      outcome: 'success',
      actorType: 'staff',
      actorId: actor.email,
      accountId: ctx.owner.type === 'person' ? ctx.owner.id : null,
      target: ctx.label,
      details: { count },
    });
    return count;
  });
}

/**
 * S49: a completed password reset through the e-mailed link removes every passkey of the person,
 * in the reset's transaction — the link proves the mailbox, and "if it was not you, reset your
 * password" must take away a passkey a thief added. Returns how many went.
 */
export async function removePasskeysWithReset(trx: Executor, deps: Pick<PasskeyDeps, 'clock'>, personId: number, origin: AuditOrigin): Promise<number> {
  const count = await repo.deletePasskeysOfOwner(trx, { type: 'person', id: personId });
  if (count > 0) {
    await recordAudit(trx, deps.clock, origin, { event: 'passkey.removed_with_reset', outcome: 'success', actorType: 'customer', accountId: personId, details: { count } });
  }
  return count;
}

/** Erasure (S42) and removal of a person or a member: their passkeys go with them. */
export async function deletePasskeysOf(trx: Executor, owner: Owner): Promise<number> {
  return repo.deletePasskeysOfOwner(trx, owner);
}

/** S42: what the export says of a person's passkeys (no key material: it identifies nobody and proves nothing). */
export async function exportPasskeys(db: Executor, owner: Owner) {
  return (await repo.listPasskeys(db, owner)).map((row) => ({
    name: row.name,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    device_type: row.device_type,
    backed_up: row.backed_up === 1,
    transports: row.transports,
  }));
}

export async function countPasskeys(db: Executor, owner: Owner): Promise<number> {
  return repo.countPasskeys(db, owner);
}

export const countPasskeysByOwner = repo.countPasskeysByOwner;

// ---------------------------------------------------------------- assertions

/**
 * Options to sign in or to pass a second factor. Signing in without a password (`sign_in`):
 * discoverable credentials (no list: the authenticator offers its passkeys for this RP ID) and
 * user verification required (S48). A staff second factor or step-up lists the member's own
 * credentials and prefers user verification (the password was typed already).
 */
export async function startAssertion(
  deps: PasskeyDeps,
  input: { purpose: Exclude<ChallengePurpose, 'register'>; owner: Owner | null; browserValue: string; ip: string },
): Promise<OptionsAnswer<PublicKeyCredentialRequestOptionsJSON>> {
  const rp = relyingParty(deps.config);
  const allow = input.owner ? await repo.listPasskeys(deps.db, input.owner) : [];
  const issued = await issueChallenge(deps, input);
  if (!issued.ok) return issued;
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    challenge: isoBase64URL.toBuffer(issued.challenge),
    timeout: CHALLENGE_TTL_MS,
    userVerification: input.purpose === 'sign_in' ? 'required' : 'preferred',
    allowCredentials: allow.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
  });
  return { ok: true, options };
}

/** Why an assertion was refused: the audit's word only; the browser gets one answer. */
export type AssertionFailure = 'malformed' | 'challenge' | 'unknown_credential' | 'other_owner' | 'user_handle' | 'counter' | 'rejected' | 'unavailable';

export interface AssertionCheck {
  /** The passkey that passed, once `check` returned true. */
  passkey?: Passkey;
  reason?: AssertionFailure;
  /** For `attemptCode`: consumes the challenge, finds and verifies the credential, records its use. */
  check: () => Promise<boolean>;
}

/**
 * The one check of an assertion, to be run inside `attemptCode` (so the per-client limit and the
 * throttle are reserved before any lookup or signature check, S36). In order: the challenge is
 * consumed (issued to this browser, for this purpose and owner, not expired: S48), the credential
 * must exist and belong to `accept`'s idea of the right owner, the signature, RP ID hash, origin,
 * flags (user verification when signing in without a password) and counter are verified by
 * @simplewebauthn/server, and the new counter is written conditionally.
 */
export function assertionCheck(
  deps: PasskeyDeps,
  input: {
    purpose: Exclude<ChallengePurpose, 'register'>;
    owner: Owner | null;
    browserValue: string;
    response: string;
    /** Does this passkey's owner fit? (a person who can sign in; the staff member of this session). */
    accept: (passkey: Passkey) => Promise<boolean>;
  },
): AssertionCheck {
  const { db, clock, config } = deps;
  const rp = relyingParty(config);
  const state: AssertionCheck = {
    check: async () => {
      const fail = (reason: AssertionFailure) => {
        state.reason = reason;
        return false;
      };
      const parsed = parseJson(input.response);
      const credentialId = credentialIdIn(parsed);
      const challenge = parsed ? challengeOf(parsed) : null;
      if (!parsed || !credentialId || !challenge || typeof parsed.response !== 'object' || parsed.response === null) return fail('malformed');
      const consumed = await repo.consumeChallenge(db, { challenge, browserHash: sha256(input.browserValue), purpose: input.purpose, owner: input.owner, now: clock.now() });
      if (!consumed) return fail('challenge');
      const row = await repo.findPasskeyByCredentialId(db, credentialId);
      if (!row) return fail('unknown_credential');
      if (input.owner ? row.owner_type !== input.owner.type || Number(row.owner_id) !== input.owner.id : row.owner_type !== 'person') return fail('other_owner');
      // A discoverable credential says whose it is; it must be the handle it was made with.
      const userHandle = parsed.response.userHandle;
      if (input.purpose === 'sign_in' && userHandle !== row.user_handle) return fail('user_handle');
      if (userHandle !== undefined && userHandle !== null && userHandle !== row.user_handle) return fail('user_handle');
      if (!(await input.accept(row))) return fail('unavailable');
      let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        verification = await verifyAuthenticationResponse({
          response: parsed as AuthenticationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpID,
          credential: { id: row.credential_id, publicKey: isoBase64URL.toBuffer(row.public_key), counter: Number(row.counter), transports: transportsOf(row) },
          requireUserVerification: input.purpose === 'sign_in',
        });
      } catch (error) {
        return fail(error instanceof Error && /counter/i.test(error.message) ? 'counter' : 'rejected');
      }
      if (!verification.verified) return fail('rejected');
      const info = verification.authenticationInfo;
      if (!(await repo.recordPasskeyUse(db, Number(row.id), Number(row.counter), { counter: info.newCounter, backedUp: info.credentialBackedUp, at: clock.now() }))) return fail('counter');
      state.passkey = row;
      return true;
    },
  };
  return state;
}

/**
 * The throttle key of a passwordless sign-in (S8 for passkeys): the credential the assertion
 * names, hashed (unknown ones are slowed down alike). Not the customer code: someone guessing
 * the password of 12345 must not be able to slow down its holder's passkey, and a failed
 * assertion teaches nothing about the password.
 */
export function signInThrottleKey(response: string): string | null {
  const id = credentialIdOf(response);
  return id ? `passkey:${sha256(id)}` : null;
}

export type PasskeySignInResult =
  | { ok: true; accountId: number; code: string; firstLogin: boolean }
  | { ok: false; code: 'PASSKEY_REFUSED'; reason: AssertionFailure | 'throttled' }
  | { ok: false; code: 'TOO_MANY_ATTEMPTS'; retryAfterSeconds: number };

/**
 * A customer signs in with a passkey alone (S48): through the attempt core like a password
 * (S9, S36, throttled per credential), then the same success writes as the password login — last
 * sign-in, the limits settled, `login.success` audited with `method: passkey` — in one transaction.
 * The caller opens the session exactly as after a password (login.routes `openCustomerSignIn`).
 */
export async function signInWithPasskey(deps: PasskeyDeps, input: { browserValue: string; response: string; origin: AuditOrigin & { ip: string } }): Promise<PasskeySignInResult> {
  const { db, clock } = deps;
  let person: Awaited<ReturnType<typeof repo.findPerson>>;
  const assertion = assertionCheck(deps, {
    purpose: 'sign_in',
    owner: null,
    browserValue: input.browserValue,
    response: input.response,
    accept: async (row) => {
      person = await repo.findPerson(db, Number(row.owner_id));
      // A disabled person keeps their passkeys (re-enabled, they work again) but cannot use them.
      return person !== undefined && person.disabled_at === null;
    },
  });
  const outcome: AttemptOutcome = await attemptCode(deps, { ip: input.origin.ip, throttleKey: signInThrottleKey(input.response), check: assertion.check });
  if (outcome.kind === 'ip_blocked') {
    await recordAudit(db, clock, input.origin, { event: 'login.ip_blocked', outcome: 'blocked', actorType: 'anonymous' });
    return { ok: false, code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: outcome.retryAfterSeconds };
  }
  if (outcome.kind === 'passed' && person && assertion.passkey) {
    const signedIn = person;
    await db.transaction().execute(async (trx) => {
      await outcome.settle(trx);
      await repo.recordPersonSignIn(trx, signedIn.id, clock.now());
      await recordAudit(trx, clock, input.origin, {
        event: 'login.success',
        outcome: 'success',
        actorType: 'customer',
        actorId: signedIn.code,
        accountId: signedIn.id,
        target: signedIn.code,
        details: { method: 'passkey', passkey: assertion.passkey!.name },
      });
    });
    return { ok: true, accountId: signedIn.id, code: signedIn.code, firstLogin: signedIn.last_login_at === null };
  }
  const reason = outcome.kind === 'throttled' ? 'throttled' : (assertion.reason ?? 'rejected');
  if (outcome.kind === 'failed' && outcome.delayStartedMs > 0) {
    await recordAudit(db, clock, input.origin, { event: 'login.throttle', outcome: 'blocked', actorType: 'anonymous', details: { method: 'passkey', failures: outcome.failures, delaySeconds: outcome.delayStartedMs / 1000 } });
  }
  await recordAudit(db, clock, input.origin, {
    event: 'login.failure',
    outcome: 'failure',
    actorType: 'anonymous',
    accountId: person?.id ?? null,
    target: person?.code ?? null,
    details: { method: 'passkey', reason },
  });
  return { ok: false, code: 'PASSKEY_REFUSED', reason };
}

// ---------------------------------------------------------------- the customer's recent sign-in (S49)

/** Is the sign-in behind this customer session at most 10 minutes old (password or passkey)? */
export async function hasRecentSignIn(deps: Pick<PasskeyDeps, 'db' | 'clock'>, sessionId: string): Promise<boolean> {
  const signIn = await repo.findSessionSignIn(deps.db, sessionId);
  return signIn !== undefined && deps.clock.now() - signIn.at <= RECENT_SIGN_IN_MS;
}

/** How the sign-in behind a customer session was made, for the single sign-on claims. */
export async function sessionSignInMethod(db: Executor, sessionId: string): Promise<string> {
  return (await repo.findSessionSignIn(db, sessionId))?.method ?? 'pwd';
}

export const markSessionReauthenticated = repo.markSessionReauthenticated;
export const findPerson = repo.findPerson;
export const deleteExpiredChallenges = repo.deleteExpiredChallenges;
