import type { AccountTable } from '../modules/account/account.table.js';
import type { AccountRequestTable } from '../modules/account-request/account-request.table.js';
import type { AccountTokenTable } from '../modules/account-token/account-token.table.js';
import type { OutboxTable } from '../modules/mail/mail.table.js';
import type { ResetRequestTable } from '../modules/password-reset/password-reset.table.js';
import type { AuditTable } from '../modules/audit/audit.table.js';
import type { LoginThrottleTable, RateCounterTable, SettingTable } from '../modules/security/security.table.js';
import type { DeviceTable, RememberTokenTable, SessionTable } from '../modules/session/session.table.js';
import type { OidcClientTable, OidcKeyTable, OidcModelTable } from '../modules/sso/sso.table.js';
import type { StaffRecoveryCodeTable, StaffSessionTable, StaffTable, StaffTokenTable } from '../modules/staff/staff.table.js';

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
  reset_requests: ResetRequestTable;
  staff: StaffTable;
  staff_recovery_codes: StaffRecoveryCodeTable;
  staff_sessions: StaffSessionTable;
  staff_tokens: StaffTokenTable;
  account_requests: AccountRequestTable;
  // Single sign-on (src/modules/sso)
  oidc_models: OidcModelTable;
  oidc_keys: OidcKeyTable;
  oidc_clients: OidcClientTable;
}
