/**
 * CPU time of every thread of a process tree, read from /proc (Linux), so a benchmark can say
 * where a browser's CPU went: the page's main thread (our JavaScript), WebRTC's threads inside the
 * renderer (DTLS, SCTP, ICE), workers, the browser process (IndexedDB's backend, IPC), the GPU and
 * network-service processes. Thread names are Chromium's own (truncated to 15 characters by the kernel).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc's utime/stime (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

export interface ThreadCpu {
  /** Chromium process type: browser, renderer, gpu-process, utility:<sub-type>, zygote, or the command for others. */
  process: string;
  thread: string;
  seconds: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Fields after the command name of a /proc stat line (the name may hold spaces and parentheses). */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
}

function processType(pid: number): string {
  // Chromium rewrites its children's command lines into one space-separated string.
  const args = (read(`/proc/${pid}/cmdline`) ?? '').split(/[\0 ]/);
  const type = args.find((a) => a.startsWith('--type='))?.slice('--type='.length);
  if (!type) return /chrom/.test(args[0] ?? '') ? 'browser' : (args[0]?.split('/').at(-1) ?? '?');
  if (type === 'utility') {
    const sub = args.find((a) => a.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length) ?? '';
    return `utility:${sub.replace(/\.mojom\..*$/, '')}`;
  }
  return type;
}

/** Every process descended from `root` (its children, theirs, …), root included. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    const ppid = Number(statFields(stat)[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Per-thread CPU seconds so far of every Chromium process under `root`, keyed by "pid/tid". */
export function chromiumThreadCpu(root: number): Map<string, ThreadCpu> {
  const out = new Map<string, ThreadCpu>();
  for (const pid of descendants(root)) {
    if (pid === root) continue;
    const type = processType(pid);
    if (type === 'esbuild') continue; // tsx's compiler service, the benchmark's own
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const stat = read(`/proc/${pid}/task/${tid}/stat`);
      if (!stat) continue;
      const f = statFields(stat);
      // utime and stime are fields 14 and 15 of stat; f starts at field 3.
      const ticks = Number(f[11]) + Number(f[12]);
      const thread = (read(`/proc/${pid}/task/${tid}/comm`) ?? '?').trim();
      out.set(`${pid}/${tid}`, { process: type, thread, seconds: ticks / TICKS_PER_SECOND });
    }
  }
  return out;
}

/** CPU used between two snapshots, by thread (threads that ended in between are lost: say so where it matters). */
export function cpuBetween(before: Map<string, ThreadCpu>, after: Map<string, ThreadCpu>): ThreadCpu[] {
  const out: ThreadCpu[] = [];
  for (const [key, t] of after) {
    const used = t.seconds - (before.get(key)?.seconds ?? 0);
    if (used > 0) out.push({ ...t, seconds: used });
  }
  return out;
}

/** Where a thread's time goes in the report. */
export function cpuCategory(t: Pick<ThreadCpu, 'process' | 'thread'>): string {
  if (t.thread === 'v8:ProfEvntProc') return "bench:cpu's own profiler (one page, first run)";
  if (t.process === 'renderer') {
    // A process's main thread carries the program's name ("chromium"); Chromium calls it CrRendererMain.
    if (t.thread === 'CrRendererMain' || t.thread === 'chromium') return 'renderer: page main thread (JS, DOM, IndexedDB and data-channel glue)';
    if (/^WebRTC|^rtc/i.test(t.thread)) return 'renderer: WebRTC threads (SCTP, DTLS, ICE)';
    if (t.thread === 'Chrome_ChildIOT') return "renderer: IPC thread (packets to and from the network service)";
    if (/^DedicatedWorker/.test(t.thread)) return 'renderer: workers (timers, hashing)';
    if (/^(V8|ThreadPool)/.test(t.thread)) return 'renderer: thread pool (GC, compile, crypto)';
    return 'renderer: other threads';
  }
  if (t.process === 'browser') return 'browser process (IndexedDB backend, IPC, UI)';
  if (t.process.startsWith('utility:network')) return "network service (WebRTC's UDP sockets)";
  if (t.process === 'gpu-process') return 'GPU process (software compositing)';
  if (t.process === 'node') return 'trackers (Node, outside Chromium)';
  return `other: ${t.process}`;
}

/** Sums seconds by category, largest first. */
export function byCategory(threads: ThreadCpu[]): Array<{ category: string; seconds: number }> {
  const sums = new Map<string, number>();
  for (const t of threads) sums.set(cpuCategory(t), (sums.get(cpuCategory(t)) ?? 0) + t.seconds);
  return [...sums].map(([category, seconds]) => ({ category, seconds })).sort((a, b) => b.seconds - a.seconds);
}
