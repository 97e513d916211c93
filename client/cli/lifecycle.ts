/** Keeps a swarm session running until Ctrl-C or SIGTERM (or its link expires), then leaves the swarm cleanly. */
import type { SwarmSession } from '../engine/session.ts';

export function runUntilSignal(session: SwarmSession, statusEveryMs: number, status: () => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(status, statusEveryMs);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      // The `stopped` announce goes out before the sockets close.
      void session.stop().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // A link with an expiry: the session has left the swarm; say so and end as on Ctrl-C.
    session.on('error', (e) => {
      if (e.code !== 'LINK_EXPIRED') return;
      process.stderr.write(`the link's expiry has come: stopped sharing (${e.message.slice(0, e.message.indexOf(':'))})\n`);
      stop();
    });
  });
}
