import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { parseCsv } from '../../shared/csv.js';
import { validateAccountInput } from '../account/account.service.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { sendAccountLink } from '../auth-core/account-link.js';
import { findCompanyAccount, insertPasswordlessAccount } from '../account/account.repository.js';
import { changeAccountEmail } from '../back-office/accounts-admin.service.js';
import * as repo from './import.repository.js';

/**
 * `pending`: the line changes the e-mail of an activated account, which becomes a change waiting
 * for a second staff member (S37), exactly as on the account page; the report lists these apart.
 */
export type LineOutcome = 'created' | 'updated' | 'pending' | 'unchanged' | 'rejected';

/** Why a line was rejected (fr.bo.importRejections has a sentence for each, typed). */
export type ImportRejection = 'INVALID_CODE' | 'INVALID_EMAIL' | 'INVALID_COMPANY' | 'COLUMNS' | 'DUPLICATE' | 'EMAIL_CHANGE_PENDING';

export interface LineReport {
  line: number;
  code: string;
  outcome: LineOutcome;
  /** Why the line was rejected. */
  rejection?: ImportRejection;
  /** What an `updated` (or `pending`) line changed at once. */
  changed?: Array<'email' | 'company'>;
  /** A `pending` line: the address that waits for a second staff member's approval. */
  pendingEmail?: string;
}

export interface ImportReport {
  dryRun: boolean;
  totals: Record<LineOutcome, number>;
  lines: LineReport[];
  activationMails: number;
}

export interface ImportOptions {
  dryRun: boolean;
  sendActivation: boolean;
  actor: { type: 'operator' | 'staff'; id: string };
  origin: AuditOrigin;
  onProgress?: (done: number, total: number) => void;
}

const CHUNK = 500;

/**
 * Imports the ERP customer list (code;email;company). Idempotent: an account whose e-mail and
 * company already match is left alone. Every line is checked before anything is written, so a
 * bad line is reported and skipped without aborting the others; lines are written in chunks
 * (one transaction each), so no line is ever half-written. A changed e-mail goes through the
 * account page's door, changeAccountEmail: on an account not yet activated it applies, voids
 * the open links (S12) and tells the old address (S39); on an activated account it becomes a
 * change waiting for a second staff member (S37), reported apart as `pending`. No activation
 * mail unless `sendActivation`.
 */
export async function importAccounts(deps: { db: Kysely<DB>; clock: Clock; config: Config }, csvText: string, options: ImportOptions): Promise<ImportReport> {
  const { db, clock } = deps;
  const { rows } = parseCsv(csvText);
  const report: ImportReport = { dryRun: options.dryRun, totals: { created: 0, updated: 0, pending: 0, unchanged: 0, rejected: 0 }, lines: [], activationMails: 0 };
  const existing = new Map((await repo.listAccountKeys(db)).map((a) => [a.code, a]));
  const seen = new Set<string>();

  type Planned = { report: LineReport; code: string; email: string; company: string; id?: number };
  const planned: Planned[] = [];
  rows.forEach((cells, index) => {
    const line = index + 1;
    if (cells.length === 1 && cells[0]!.trim() === '') return;
    if (index === 0 && !/^\s*[0-9０-９]/.test(cells[0] ?? '')) return; // a header line
    const add = (entry: LineReport) => {
      report.lines.push(entry);
      report.totals[entry.outcome]++;
    };
    if (cells.length < 3) return add({ line, code: (cells[0] ?? '').trim().slice(0, 16), outcome: 'rejected', rejection: 'COLUMNS' });
    const checked = validateAccountInput({ code: cells[0]!, email: cells[1]!, company: cells.slice(2).join(' ').trim() });
    if ('error' in checked) return add({ line, code: cells[0]!.trim().slice(0, 16), outcome: 'rejected', rejection: checked.error === 'DUPLICATE_CODE' ? 'DUPLICATE' : checked.error });
    const { code, email, company } = checked.value;
    if (seen.has(code)) return add({ line, code, outcome: 'rejected', rejection: 'DUPLICATE' });
    seen.add(code);
    const current = existing.get(code);
    if (!current) {
      const entry: LineReport = { line, code, outcome: 'created' };
      add(entry);
      planned.push({ report: entry, code, email, company });
    } else if (current.email.toLowerCase() !== email.toLowerCase() || current.company !== company) {
      // An address is compared as the account page compares it: case aside (SAME_EMAIL).
      const emailChanged = current.email.toLowerCase() !== email.toLowerCase();
      // S37: on an activated account a new address waits for a second staff member; one already waiting refuses the line.
      if (emailChanged && current.activated && current.change_pending) return add({ line, code, outcome: 'rejected', rejection: 'EMAIL_CHANGE_PENDING' });
      const held = emailChanged && current.activated;
      const changed = [...(emailChanged && !held ? (['email'] as const) : []), ...(current.company !== company ? (['company'] as const) : [])];
      const entry: LineReport = held ? { line, code, outcome: 'pending', changed, pendingEmail: email } : { line, code, outcome: 'updated', changed };
      add(entry);
      planned.push({ report: entry, code, email, company, id: current.id });
    } else {
      add({ line, code, outcome: 'unchanged' });
    }
  });

  const actor = { type: options.actor.type, id: options.actor.id, origin: options.origin };
  const moveTo = (entry: LineReport, to: { outcome: LineOutcome; rejection?: ImportRejection; pendingEmail?: string }) => {
    report.totals[entry.outcome]--;
    report.totals[to.outcome]++;
    const changed = entry.changed?.filter((c) => c === 'company');
    Object.assign(entry, { rejection: undefined, pendingEmail: undefined, ...to, changed: changed?.length ? changed : undefined });
  };
  if (!options.dryRun) {
    for (let start = 0; start < planned.length; start += CHUNK) {
      const chunk = planned.slice(start, start + CHUNK);
      await db.transaction().execute(async (trx) => {
        const now = clock.now();
        for (const item of chunk) {
          if (item.id === undefined) {
            const { accountId: id } = await insertPasswordlessAccount(trx, { code: item.code, email: item.email, company: item.company, now });
            if (options.sendActivation) {
              await sendAccountLink(deps, trx, { id, code: item.code, email: item.email, company: item.company, password_hash: null });
              report.activationMails++;
            }
          } else {
            const before = existing.get(item.code)!;
            if (before.company !== item.company) await repo.updateImportedCompany(trx, before.company_id, { company: item.company, now });
            if (before.email.toLowerCase() !== item.email.toLowerCase()) {
              // The account page's own door (S37, S39): applied with the old address told, or held for a second staff member.
              const account = await findCompanyAccount(trx, before.company_id);
              const result = account ? await changeAccountEmail(deps, trx, actor, account, item.email) : undefined;
              // The account changed since the plan (activated, or a change asked meanwhile): the report says what happened.
              if (result && !result.ok && result.code === 'CHANGE_PENDING') moveTo(item.report, { outcome: 'rejected', rejection: 'EMAIL_CHANGE_PENDING' });
              else if (result?.ok && !result.value.applied && item.report.outcome !== 'pending') moveTo(item.report, { outcome: 'pending', pendingEmail: item.email });
            }
          }
        }
      });
      options.onProgress?.(Math.min(start + CHUNK, planned.length), planned.length);
    }
    await recordAudit(db, clock, options.origin, {
      event: 'accounts.imported',
      outcome: 'success',
      actorType: options.actor.type,
      actorId: options.actor.id,
      details: { ...report.totals, activationMails: report.activationMails },
    });
  }
  report.lines.sort((a, b) => a.line - b.line);
  return report;
}
