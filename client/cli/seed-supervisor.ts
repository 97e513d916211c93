/**
 * `tabswarm seed` runs for hours, and its WebRTC comes from a native library (@roamhq/wrtc) that
 * can crash the whole process when a remote peer goes away at the wrong moment (a segmentation
 * fault in its data-channel teardown, a long-known bug class of node-webrtc). A seeder that dies
 * silently takes the swarm's only copy with it. So the command the user started supervises a
 * worker process that does the seeding, and starts it again when it dies of a native crash, saying
 * so. Ctrl-C and SIGTERM pass to the worker, which leaves the swarm cleanly; any other ending is
 * the command's own.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Set in the worker's environment: this process seeds; it does not supervise. */
export const SEED_WORKER_ENV = 'TABSWARM_SEED_WORKER';
/** Set in a restarted worker's environment: the link was printed already, and the server copy made. */
export const SEED_RESTART_ENV = 'TABSWARM_SEED_RESTARTED';
/** What a worker sends its supervisor (IPC) once it has printed the link: a crash before that must not keep the restarted worker from printing it. */
export const LINK_PRINTED_MESSAGE = 'tabswarm:link-printed';

/** Tells the supervisor, if there is one, that the link is out (and any server copy made). */
export function reportLinkPrinted(): void {
  process.send?.(LINK_PRINTED_MESSAGE);
}

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
): { action: 'exit'; code: number; message?: string } | { action: 'restart'; message: string } {
  if (exit.signal === null) return { action: 'exit', code: exit.code ?? 1 };
  const crash = CRASH_SIGNALS.has(exit.signal);
  if (stopping || !crash) return { action: 'exit', code: 128 + (constants.signals[exit.signal] ?? 0) };
  const recent = restarts.filter((t) => nowMs - t < RESTART_WINDOW_MS).length;
  if (recent >= MAX_RESTARTS_IN_WINDOW) {
    return { action: 'exit', code: 1, message: `the seeding process crashed (${exit.signal}) ${recent + 1} times within ${RESTART_WINDOW_MS / 1000} s; giving up. Run the same command again to resume seeding.` };
  }
  return { action: 'restart', message: `the seeding process crashed (${exit.signal}, in the WebRTC library); seeding again with the same link` };
}

/** Runs `node <script> <args>` as the seeding worker until it ends for good; resolves with the exit code. */
export function superviseSeed(script: string, args: string[], log: (line: string) => void = (l) => process.stderr.write(`tabswarm: ${l}\n`)): Promise<number> {
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
      const env = { ...process.env, [SEED_WORKER_ENV]: '1', ...(restarted ? { [SEED_RESTART_ENV]: '1' } : {}) };
      // The IPC channel is how the worker learns that its supervisor is gone (it closes with us).
      const child = spawn(process.execPath, [script, ...args], { env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m) => {
        if (m === LINK_PRINTED_MESSAGE) linkPrinted = true;
      });
      child.on('exit', (code, signal) => {
        const next = afterWorkerExit({ code, signal }, restarts, Date.now(), stopping);
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
