/**
 * Timers that keep their rhythm in hidden tabs. Chromium throttles a background page's timers (to
 * once a second, later once a minute); dedicated workers' timers are not throttled that way, so the
 * engine's choke, announce and timeout clocks run on a tiny worker that posts ticks back.
 */
import type { Clock } from '../engine/clock.ts';

const WORKER_SOURCE = `
const timers = new Map();
onmessage = (e) => {
  const { op, id, ms } = e.data;
  if (op === 'set') timers.set(id, setTimeout(() => { timers.delete(id); postMessage(id); }, ms));
  else if (op === 'every') timers.set(id, setInterval(() => postMessage(id), ms));
  else if (op === 'clear') { clearTimeout(timers.get(id)); clearInterval(timers.get(id)); timers.delete(id); }
};`;

export function workerClock(): Clock {
  let worker: Worker;
  try {
    worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' })));
  } catch {
    // A page whose CSP forbids blob: workers still works, with the page's own (throttled) timers.
    return { now: () => Date.now(), setTimeout, clearTimeout: (h) => clearTimeout(h as number), setInterval, clearInterval: (h) => clearInterval(h as number) };
  }
  const callbacks = new Map<number, { fn: () => void; repeat: boolean }>();
  let nextId = 1;
  worker.onmessage = (e: MessageEvent<number>) => {
    const entry = callbacks.get(e.data);
    if (!entry) return;
    if (!entry.repeat) callbacks.delete(e.data);
    entry.fn();
  };
  const schedule = (fn: () => void, ms: number, repeat: boolean) => {
    const id = nextId++;
    callbacks.set(id, { fn, repeat });
    worker.postMessage({ op: repeat ? 'every' : 'set', id, ms });
    return id;
  };
  const clear = (h: unknown) => {
    callbacks.delete(h as number);
    worker.postMessage({ op: 'clear', id: h });
  };
  return {
    now: () => Date.now(),
    setTimeout: (fn, ms) => schedule(fn, ms, false),
    setInterval: (fn, ms) => schedule(fn, ms, true),
    clearTimeout: clear,
    clearInterval: clear,
  };
}
