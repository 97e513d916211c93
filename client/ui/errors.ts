import { isTabswarmError } from '../../shared/errors.ts';

/** One sentence a person can act on, whatever was thrown. */
export function describeError(err: unknown): string {
  if (isTabswarmError(err)) return err.message;
  return `Something went wrong: ${err instanceof Error ? err.message : String(err)}. Reload the page and try again.`;
}
