import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import type { DB } from './schema.js';

/**
 * SQL texts of the queries compiled once, each with the name PostgreSQL prepares it under on
 * every connection (database.ts), so it is parsed and planned once per connection, not per run.
 */
export const preparedStatementNames = new Map<string, string>();

/** Stands for the named argument while the query is built; a value Kysely binds like any other. */
class Placeholder {
  constructor(readonly name: string) {}
}

/**
 * A query built and compiled by Kysely once per database, then run with new arguments: for the
 * queries on the path of every request or login attempt (session lookup, counters, audit),
 * where building and compiling cost more than SQLite takes to answer, and leave garbage that
 * the collector must then sweep during a flood. The arguments are still bound parameters (S27).
 *
 * `build` receives stand-ins for the named arguments and must use each one as a plain value
 * (a column value, a comparison operand), never look inside it.
 */
export function prepareQuery<Args extends Record<string, unknown>, Row>(build: (db: Kysely<DB>, args: Args) => Compilable<Row>) {
  const run = prepared(build);
  return async (db: Kysely<DB>, args: Args): Promise<Row[]> => (await run(db, args)).rows;
}

/**
 * The same for an UPDATE or DELETE whose caller needs to know how many rows it changed (a
 * conditional write that decides something: a counter moved, a browser recognised).
 */
export function prepareCommand<Args extends Record<string, unknown>>(build: (db: Kysely<DB>, args: Args) => Compilable<unknown>) {
  const run = prepared(build);
  return async (db: Kysely<DB>, args: Args): Promise<number> => Number((await run(db, args)).numAffectedRows ?? 0n);
}

function prepared<Args extends Record<string, unknown>, Row>(build: (db: Kysely<DB>, args: Args) => Compilable<Row>) {
  // Keyed by the dialect's adapter, which a database and its transactions share.
  const compiledFor = new WeakMap<object, CompiledQuery<Row>>();
  const standIns = new Proxy({}, { get: (_, name) => new Placeholder(String(name)) }) as Args;
  return (db: Kysely<DB>, args: Args) => {
    const adapter = db.getExecutor().adapter;
    let compiled = compiledFor.get(adapter);
    if (!compiled) {
      compiled = build(db, standIns).compile();
      compiledFor.set(adapter, compiled);
      if (!preparedStatementNames.has(compiled.sql)) preparedStatementNames.set(compiled.sql, `ep_${preparedStatementNames.size + 1}`);
    }
    const parameters = compiled.parameters.map((p) => (p instanceof Placeholder ? args[p.name] : p));
    return db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
  };
}
