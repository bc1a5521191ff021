import type { AccountTable } from '../modules/account/account.table.js';
import type { AccountTokenTable } from '../modules/account-token/account-token.table.js';
import type { OutboxTable } from '../modules/mail/mail.table.js';
import type { AuditTable } from '../modules/audit/audit.table.js';
import type { LoginThrottleTable, RateCounterTable, SettingTable } from '../modules/security/security.table.js';
import type { DeviceTable, RememberTokenTable, SessionTable } from '../modules/session/session.table.js';

export interface DB {
  accounts: AccountTable;
  sessions: SessionTable;
  remember_tokens: RememberTokenTable;
  devices: DeviceTable;
  audit_log: AuditTable;
  login_throttle: LoginThrottleTable;
  rate_counters: RateCounterTable;
  settings: SettingTable;
  account_tokens: AccountTokenTable;
  outbox: OutboxTable;
}
