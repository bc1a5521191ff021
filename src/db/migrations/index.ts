import type { Migration } from 'kysely';
import * as m001 from './001_initial.js';
import * as m002 from './002_tokens_outbox.js';
import * as m003 from './003_account_requests.js';
import * as m004 from './004_staff.js';
import * as m005 from './005_reset_queue.js';
import * as m008 from './008_outbox_reply_to.js';

/** Every migration, in order. Names never change once released. */
export const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_tokens_outbox': m002,
  '003_account_requests': m003,
  '004_staff': m004,
  '005_reset_queue': m005,
  '008_outbox_reply_to': m008,
};
