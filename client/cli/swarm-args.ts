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

const EXPIRY_UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--expires`: a duration from now (`90s`, `30m`, `12h`, `7d`) or a date and time (ISO 8601, e.g.
 * `2026-12-31T18:00Z`); returns ms since 1970. One that has already passed is refused.
 */
export function parseExpiry(value: string, nowMs: number): number {
  const relative = /^(\d+)\s*([smhd])$/i.exec(value.trim());
  const at = relative ? nowMs + Number(relative[1]) * EXPIRY_UNITS_MS[relative[2]!.toLowerCase()]! : Date.parse(value);
  if (!Number.isFinite(at)) throw new TabswarmError('INPUT_UNREADABLE', `--expires takes a duration (90s, 30m, 12h, 7d) or a date and time (2026-12-31T18:00Z), not "${value}".`);
  if (at <= nowMs) throw new TabswarmError('INPUT_UNREADABLE', `--expires ${value} is not in the future.`);
  return at;
}
