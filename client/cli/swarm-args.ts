/** Options shared by `seed` and `get`. */
import { TabswarmError } from '../../shared/errors.ts';

export const DEFAULT_TRACKER = 'ws://localhost:8080';

export function parseByteRate(value: string | undefined, flag: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TabswarmError('INPUT_UNREADABLE', `${flag} takes bytes per second as a whole number, e.g. ${flag} 1048576.`);
  return n;
}

export function checkTrackers(urls: string[]): string[] {
  for (const url of urls) {
    let ok = false;
    try {
      ok = ['ws:', 'wss:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new TabswarmError('INPUT_UNREADABLE', `Tracker "${url}" must be a ws:// or wss:// URL.`);
  }
  return urls;
}
