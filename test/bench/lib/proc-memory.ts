/** A process's resident memory from /proc (Linux), for the benchmarks that report it. */
import { readFileSync } from 'node:fs';

/** Peak (VmHWM) and current (VmRSS) resident set of a process, KiB. Throws if the process is gone. */
export function processRssKiB(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { peak: kib('VmHWM'), now: kib('VmRSS') };
}
