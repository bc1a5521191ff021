/**
 * The one error contract of the services: a success with its value, or a stable English code
 * (one union per module) with the form field it concerns and the parameters its sentence needs.
 * Routes map codes to a status and a page; the French sentences live in shared/i18n/fr.ts, in
 * maps typed `satisfies Record<Code, …>`, so a code without a sentence fails the type check.
 */
export type Ok<T> = { ok: true; value: T };
export interface Failure<C extends string> {
  ok: false;
  code: C;
  field?: string;
  params?: Readonly<Record<string, string | number>>;
}
export type Result<T, C extends string> = Ok<T> | Failure<C>;

export function ok<T>(value: T): Ok<T>;
export function ok(): Ok<undefined>;
export function ok<T>(value?: T): Ok<T | undefined> {
  return { ok: true, value };
}

export function fail<C extends string>(code: C, field?: string, params?: Failure<C>['params']): Failure<C> {
  return { ok: false, code, ...(field ? { field } : {}), ...(params ? { params } : {}) };
}

/** Thrown inside a transaction to roll it back; `runCatching` turns it back into the Failure it carries. */
export class FailureSignal<C extends string> extends Error {
  constructor(readonly failure: Failure<C>) {
    super(failure.code);
  }
}

export async function runCatching<T, C extends string>(fn: () => Promise<Result<T, C>>): Promise<Result<T, C>> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof FailureSignal) return error.failure as Failure<C>;
    throw error;
  }
}
