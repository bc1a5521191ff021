import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../shared/clock.js';
import { parseCsv } from '../../shared/csv.js';
import { validateAccountInput } from '../account/account.service.js';
import { revokeLinkTokens } from '../auth-core/link-tokens.js';
import { type AuditOrigin, recordAudit } from '../audit/audit.service.js';
import { accountSubject, sendAccountLink } from '../auth-core/account-link.js';
import { insertPasswordlessAccount } from '../account/account.repository.js';
import * as repo from './import.repository.js';

export type LineOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

/** Why a line was rejected (fr.bo.importRejections has a sentence for each, typed). */
export type ImportRejection = 'INVALID_CODE' | 'INVALID_EMAIL' | 'INVALID_COMPANY' | 'COLUMNS' | 'DUPLICATE';

export interface LineReport {
  line: number;
  code: string;
  outcome: LineOutcome;
  /** Why the line was rejected. */
  rejection?: ImportRejection;
  /** What an `updated` line changed. */
  changed?: Array<'email' | 'company'>;
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
 * bad line is reported and skipped without aborting the others; lines are written in chunks,
 * each line a single statement, so no line is ever half-written. A changed e-mail voids the
 * account's open links (S12). No mail unless `sendActivation`.
 */
export async function importAccounts(deps: { db: Kysely<DB>; clock: Clock; config: Config }, csvText: string, options: ImportOptions): Promise<ImportReport> {
  const { db, clock } = deps;
  const { rows } = parseCsv(csvText);
  const report: ImportReport = { dryRun: options.dryRun, totals: { created: 0, updated: 0, unchanged: 0, rejected: 0 }, lines: [], activationMails: 0 };
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
    } else if (current.email !== email || current.company !== company) {
      const changed = [...(current.email !== email ? (['email'] as const) : []), ...(current.company !== company ? (['company'] as const) : [])];
      const entry: LineReport = { line, code, outcome: 'updated', changed };
      add(entry);
      planned.push({ report: entry, code, email, company, id: current.id });
    } else {
      add({ line, code, outcome: 'unchanged' });
    }
  });

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
            await repo.updateImportedAccount(trx, { accountId: item.id, companyId: before.company_id }, { email: item.email, company: item.company, now });
            if (before.email !== item.email) await revokeLinkTokens(trx, clock, accountSubject(item.id), 'email_changed');
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
