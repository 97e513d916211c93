/**
 * The choke schedule: runs the choker (choker.ts, a pure ranking) every rechoke interval, moves the
 * optimistic unchoke every optimistic interval (counted in rechokes, so timer jitter cannot skip
 * one), and between runs only ever unchokes a newly interested peer into a free slot — as mainline
 * BitTorrent does — so no regular peer is choked mid-period because someone else's interest changed.
 */
import { Emitter } from '../../shared/emitter.ts';
import type { Clock } from './clock.ts';
import { freeSlotTaker, rechoke, type ChokePeer } from './choker.ts';

/** One run of the choker, as it happened. */
export interface RechokeEvent {
  atMs: number;
  /** On the rechoke interval (true), or at once because a peer's interest changed. */
  scheduled: boolean;
  /** The optimistic unchoke moved on (every optimistic interval, at a scheduled rechoke). */
  rotated: boolean;
  optimistic: string | null;
  /** Peers (keys) unchoked after this run, the optimistic one included. */
  unchoked: string[];
}

export interface ChokeClock {
  lastMs: number;
  nextMs: number;
  nextOptimisticMs: number;
}

export interface ChokePort {
  /** Every handshaken peer, as the choker ranks them. */
  table(nowMs: number): ChokePeer[];
  isChoking(key: string): boolean;
  setChoking(key: string, choking: boolean): void;
  /** Regular unchoke slots now (more while initial seeding). */
  slots(): number;
  /** Seeding: rank by upload rate rather than download rate. */
  seeding(): boolean;
  /** False in client-server mode: then nobody is ever unchoked. */
  reshare(): boolean;
}

export interface ChokeSchedulerOptions {
  rechokeIntervalMs: number;
  optimisticIntervalMs: number;
}

export class ChokeScheduler extends Emitter<{ rechoke: [RechokeEvent] }> {
  private optimistic: string | null = null;
  /** Scheduled rechokes so far; the optimistic unchoke moves on every rechokesPerRotation() of them. */
  private scheduledRuns = 0;
  private lastScheduledMs: number;
  private timer: unknown = null;

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly port: ChokePort,
    private readonly options: ChokeSchedulerOptions,
  ) {
    super();
    this.lastScheduledMs = clock.now();
  }

  start(): void {
    this.lastScheduledMs = this.clock.now();
    this.timer = this.clock.setInterval(() => this.run(true), this.options.rechokeIntervalMs);
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  /** Ranks everyone again now, without moving the optimistic unchoke (we became a seeder, or the mode changed). */
  rerank(): void {
    this.run(false);
  }

  /**
   * A peer's interest changed. Newly interested and choked: unchoked at once if a slot is free. An
   * unchoked peer that lost interest frees its slot: the best-ranked choked, interested peer takes
   * it at once (as mainline BitTorrent reruns its choker on "not interested"), rather than the
   * upload idling until the next rechoke — in a swarm's last seconds, that wait was most of the
   * time the last pieces took to spread. Either way nobody is choked.
   */
  onInterest(key: string, interested: boolean): void {
    if (!this.port.reshare() || this.port.isChoking(key) !== interested) return;
    const now = this.clock.now();
    const table = this.port.table(now);
    const busy = table.filter((p) => p.interested && !this.port.isChoking(p.id)).length;
    // Regular slots plus the optimistic one.
    if (busy >= this.port.slots() + 1) return;
    const next = interested ? key : freeSlotTaker(table, (id) => this.port.isChoking(id), this.port.seeding());
    if (next === null) return;
    this.port.setChoking(next, false);
    const unchoked = table.filter((p) => !this.port.isChoking(p.id)).map((p) => p.id);
    this.emit('rechoke', { atMs: now, scheduled: false, rotated: false, optimistic: this.optimistic, unchoked });
  }

  onPeerGone(key: string): void {
    if (this.optimistic === key) this.optimistic = null;
  }

  isOptimistic(key: string): boolean {
    return this.optimistic === key;
  }

  /** When it runs next, and when that run is one that moves the optimistic unchoke. */
  schedule(): ChokeClock {
    const interval = this.options.rechokeIntervalMs;
    const nextMs = this.lastScheduledMs + interval;
    const k = this.scheduledRuns;
    const ratio = this.rechokesPerRotation();
    const nextRotationRun = Math.ceil(k / ratio) * ratio;
    return { lastMs: this.lastScheduledMs, nextMs, nextOptimisticMs: nextMs + (nextRotationRun - k) * interval };
  }

  private run(scheduled: boolean): void {
    const now = this.clock.now();
    const rotate = scheduled && this.scheduledRuns % this.rechokesPerRotation() === 0;
    if (scheduled) {
      this.scheduledRuns++;
      this.lastScheduledMs = now;
    }
    const table = this.port.table(now);
    // Client-server mode: a peer that does not re-share unchokes nobody, even once it has everything.
    const decision = this.port.reshare()
      ? rechoke(table, this.optimistic, rotate, now, this.random, { slots: this.port.slots(), seeding: this.port.seeding() })
      : { unchoked: new Set<string>(), optimistic: null };
    this.optimistic = decision.optimistic;
    for (const p of table) {
      const choke = !decision.unchoked.has(p.id);
      if (choke !== this.port.isChoking(p.id)) this.port.setChoking(p.id, choke);
    }
    this.emit('rechoke', { atMs: now, scheduled, rotated: rotate, optimistic: decision.optimistic, unchoked: [...decision.unchoked] });
  }

  private rechokesPerRotation(): number {
    return Math.max(1, Math.round(this.options.optimisticIntervalMs / this.options.rechokeIntervalMs));
  }
}
