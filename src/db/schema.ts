import type { AccountTable } from '../modules/account/account.table.js';
import type { AccountRequestTable } from '../modules/account-request/account-request.table.js';
import type { OutboxTable } from '../modules/mail/mail.table.js';
import type { ResetRequestTable } from '../modules/password-reset/password-reset.table.js';
import type { AuditTable } from '../modules/audit/audit.table.js';
import type { LinkTokenTable, LoginThrottleTable, RateLimitTable } from '../modules/auth-core/auth-core.table.js';
import type { SettingTable } from '../modules/settings/settings.repository.js';
import type { DeviceTable, KnownBrowserTable, RememberTokenTable, SessionTable } from '../modules/session/session.table.js';
import type { StaffRecoveryCodeTable, StaffSessionTable, StaffTable } from '../modules/staff/staff.table.js';

import type { EmailChangeTable } from '../modules/back-office/accounts-admin.repository.js';
import type { CompanyTable, InvitationTable, MembershipTable } from '../modules/company/company.table.js';
import type { PasskeyTable, WebauthnChallengeTable } from '../modules/passkeys/passkeys.table.js';
import type { OidcClientTable, OidcKeyTable, OidcModelTable } from '../modules/sso/sso.table.js';

export interface DB {
  accounts: AccountTable;
  companies: CompanyTable;
  memberships: MembershipTable;
  invitations: InvitationTable;
  sessions: SessionTable;
  remember_tokens: RememberTokenTable;
  devices: DeviceTable;
  known_browsers: KnownBrowserTable;
  audit_log: AuditTable;
  login_throttle: LoginThrottleTable;
  rate_limits: RateLimitTable;
  settings: SettingTable;
  link_tokens: LinkTokenTable;
  outbox: OutboxTable;
  reset_requests: ResetRequestTable;
  staff: StaffTable;
  staff_recovery_codes: StaffRecoveryCodeTable;
  staff_sessions: StaffSessionTable;
  account_requests: AccountRequestTable;
  email_changes: EmailChangeTable;
  // Single sign-on (src/modules/sso)
  oidc_models: OidcModelTable;
  oidc_keys: OidcKeyTable;
  oidc_clients: OidcClientTable;
  passkeys: PasskeyTable;
  webauthn_challenges: WebauthnChallengeTable;
}
