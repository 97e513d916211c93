import type { TabswarmError } from './errors.ts';

/** What a validator of untrusted input returns: the typed value, or why it was refused. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: TabswarmError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(error: TabswarmError): Result<T> => ({ ok: false, error });
