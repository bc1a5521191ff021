import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.js';

/** The database or a transaction: every repository function takes one first, so services choose the transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;
