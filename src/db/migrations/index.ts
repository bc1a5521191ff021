import type { Migration } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_tokens_outbox.js';
import * as m003 from './003_account_requests.js';
import * as m004 from './004_staff.js';
import * as m005 from './005_reset_queue.js';
import * as m006 from './006_rate_limits.js';
import * as m007 from './007_link_tokens.js';
import * as m008 from './008_outbox_reply_to.js';
import * as m009 from './009_email_changes.js';
import * as m010 from './010_oidc.js';
import * as m011 from './011_known_browsers.js';
import * as m012 from './012_staff_reenrolment.js';
import * as m014 from './014_companies.js';
import * as m015 from './015_passkeys.js';
import * as m016 from './016_client_pkce.js';
import * as m018 from './018_reset_request_language.js';

/** Every migration, in order. Names never change once released. */
export const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_tokens_outbox': m002,
  '003_account_requests': m003,
  '004_staff': m004,
  '005_reset_queue': m005,
  '006_rate_limits': m006,
  '007_link_tokens': m007,
  '008_outbox_reply_to': m008,
  '009_email_changes': m009,
  '010_oidc': m010,
  '011_known_browsers': m011,
  '012_staff_reenrolment': m012,
  '014_companies': m014,
  '015_passkeys': m015,
  // 013 and 017 were reserved for work that needed no migration.
  '016_client_pkce': m016,
  '018_reset_request_language': m018,
};
