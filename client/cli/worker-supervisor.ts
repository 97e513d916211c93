/**
 * `tabswarm seed` runs for hours and `tabswarm get` for minutes, and their WebRTC comes from a
 * native library (@roamhq/wrtc) that can crash the whole process when a remote peer goes away at
 * the wrong moment (a segmentation fault in its data-channel teardown, a long-known bug class of
 * node-webrtc). A seeder that dies silently takes the swarm's only copy with it; a download that
 * dies leaves the user with an error they did nothing to cause. So the command the user started
 * supervises a worker process that does the work, and starts it again when it dies of a native
 * crash, saying so: a seeder with the same link, a download resuming from the pieces already
 * verified on disk. Ctrl-C and SIGTERM pass to the worker, which leaves the swarm cleanly; any
 * other ending is the command's own.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Set in the worker's environment: this process does the work; it does not supervise. */
export const WORKER_ENV = 'TABSWARM_WORKER';
/** Set in a restarted worker's environment: what it printed once (a seeder's link) is out, and the server copy made. */
export const RESTART_ENV = 'TABSWARM_RESTARTED';
/** What a worker sends its supervisor (IPC) once it has printed the link: a crash before that must not keep the restarted worker from printing it. */
export const LINK_PRINTED_MESSAGE = 'tabswarm:link-printed';

/** Tells the supervisor, if there is one, that the link is out (and any server copy made). */
export function reportLinkPrinted(): void {
  process.send?.(LINK_PRINTED_MESSAGE);
}

/** What the worker does, in the words the supervisor's messages use. */
export interface WorkerRole {
  /** "the … process crashed" */
  process: string;
  /** What starting it again does for the user. */
  again: string;
  /** What the user can do after the supervisor gives up. */
  giveUp: string;
}

export const SEEDING: WorkerRole = { process: 'seeding', again: 'seeding again with the same link', giveUp: 'Run the same command again to resume seeding.' };
export const DOWNLOAD: WorkerRole = { process: 'download', again: 'starting it again, resuming from the pieces already verified on disk', giveUp: 'Run the same command again to resume the download.' };

/** Signals by which a process dies of a fault in native code, not of a request to stop. */
const CRASH_SIGNALS = new Set<NodeJS.Signals>(['SIGSEGV', 'SIGBUS', 'SIGABRT', 'SIGILL', 'SIGFPE']);
/** At most this many restarts within RESTART_WINDOW_MS: a worker that crashes on start would otherwise loop forever. */
export const MAX_RESTARTS_IN_WINDOW = 5;
export const RESTART_WINDOW_MS = 60_000;

/**
 * What to do once the worker has exited: exit with its code, or start it again. `restarts` holds
 * the times of the previous restarts (ms); `stopping` is whether the user asked us to stop.
 */
export function afterWorkerExit(
  exit: { code: number | null; signal: NodeJS.Signals | null },
  restarts: readonly number[],
  nowMs: number,
  stopping: boolean,
  role: WorkerRole,
): { action: 'exit'; code: number; message?: string } | { action: 'restart'; message: string } {
  if (exit.signal === null) return { action: 'exit', code: exit.code ?? 1 };
  const crash = CRASH_SIGNALS.has(exit.signal);
  if (stopping || !crash) return { action: 'exit', code: 128 + (constants.signals[exit.signal] ?? 0) };
  const recent = restarts.filter((t) => nowMs - t < RESTART_WINDOW_MS).length;
  if (recent >= MAX_RESTARTS_IN_WINDOW) {
    return { action: 'exit', code: 1, message: `the ${role.process} process crashed (${exit.signal}) ${recent + 1} times within ${RESTART_WINDOW_MS / 1000} s; giving up. ${role.giveUp}` };
  }
  return { action: 'restart', message: `the ${role.process} process crashed (${exit.signal}, in the WebRTC library); ${role.again}` };
}

/** Runs `node <script> <args>` as the worker until it ends for good; resolves with the exit code. */
export function superviseWorker(script: string, args: string[], role: WorkerRole, log: (line: string) => void = (l) => process.stderr.write(`tabswarm: ${l}\n`)): Promise<number> {
  return new Promise((resolve) => {
    const restarts: number[] = [];
    let stopping = false;
    let linkPrinted = false;
    let worker = start(false);
    const forward = (signal: NodeJS.Signals) => () => {
      stopping = true;
      worker.kill(signal);
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);

    function start(restarted: boolean) {
      const env = { ...process.env, [WORKER_ENV]: '1', ...(restarted ? { [RESTART_ENV]: '1' } : {}) };
      // The IPC channel is how the worker learns that its supervisor is gone (it closes with us).
      const child = spawn(process.execPath, [script, ...args], { env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m) => {
        if (m === LINK_PRINTED_MESSAGE) linkPrinted = true;
      });
      child.on('exit', (code, signal) => {
        const next = afterWorkerExit({ code, signal }, restarts, Date.now(), stopping, role);
        if (next.action === 'restart') {
          log(next.message);
          restarts.push(Date.now());
          // A worker that crashed before printing the link leaves that to the next one.
          worker = start(linkPrinted);
          return;
        }
        if (next.message) log(next.message);
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        resolve(next.code);
      });
      return child;
    }
  });
}

/** In a worker: a worker whose supervisor is gone (killed outright) leaves the swarm as on SIGTERM, rather than carry on unattended. */
export function endWithSupervisor(): void {
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
