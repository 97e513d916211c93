/**
 * The swarm store on Redis, shared by every tracker process pointed at it: membership and
 * counts in Redis (one Lua script per step), offers and answers for peers on other processes over
 * pub/sub (one channel per process). Each process also keeps its own peers in memory, so that when
 * Redis is slow or gone it goes on serving them alone, and when Redis comes back (restarted, empty)
 * it writes them back at once instead of waiting for their next announces.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { putLocal, type StoreHealth, type PutResult, type SwarmStore } from '../tracker/swarm-store.ts';
import { parseRelay, type Relay } from '../tracker/relay.ts';
import { PeerTable, type PeerAnnounce, type PeerRecord, type SwarmCounts } from '../tracker/peer-table.ts';
import type { RedisConfig } from './options.ts';
import { COUNTS, HAS, PUT, REAP, REMOVE, SAMPLE } from './scripts.ts';

/** Heartbeats per node TTL: a process survives a few missed beats before it is declared dead. */
const BEATS_PER_TTL = 4;
/** Peers removed per reap step, so that reaping a big dead process never blocks Redis for long. */
const REAP_BATCH = 500;
/** Local peers written back per round trip after a reconnect. */
const RESYNC_BATCH = 500;
/** Redis reconnect delay: grows per attempt up to this. */
const MAX_RECONNECT_DELAY_MS = 2_000;

type ScriptResult = Array<number | string>;
interface Scripts {
  tsPut(...args: Array<string | number>): Promise<ScriptResult>;
  tsRemove(...args: Array<string | number>): Promise<number>;
  tsHas(...args: Array<string | number>): Promise<number>;
  tsCounts(...args: Array<string | number>): Promise<number[]>;
  tsSample(...args: Array<string | number>): Promise<string[]>;
  tsReap(...args: Array<string | number>): Promise<number>;
}

const hex = (binary: string): string => Buffer.from(binary, 'latin1').toString('hex');
const binary = (hexId: string): string => Buffer.from(hexId, 'hex').toString('latin1');

/** A name no other live or past process shares (a restarted process must not inherit its old peers). */
export function newNodeId(): string {
  return `${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export interface RedisSwarmStoreDeps {
  config: RedisConfig;
  /** The tracker's peer timeout: older announces do not count. */
  peerTimeoutMs: number;
  log: Logger;
  now?: () => number;
  nodeId?: string;
}

export class RedisSwarmStore implements SwarmStore {
  readonly nodeId: string;
  readonly local = new PeerTable();
  private readonly redis: Redis & Scripts;
  private readonly sub: Redis;
  private readonly config: RedisConfig;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly peerTimeoutMs: number;
  private readonly heartbeat: NodeJS.Timeout;
  private relayHandler: (message: Relay) => void = () => {};
  private lastState: 'up' | 'down' | undefined;
  private closed = false;

  constructor(deps: RedisSwarmStoreDeps) {
    this.config = deps.config;
    this.log = deps.log;
    this.now = deps.now ?? Date.now;
    this.peerTimeoutMs = deps.peerTimeoutMs;
    this.nodeId = deps.nodeId ?? newNodeId();
    const retryStrategy = (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS);
    // No offline queue: while Redis is away a command fails at once and we answer from memory,
    // rather than queueing announces that would all be replayed stale.
    this.redis = new Redis(this.config.url, { enableOfflineQueue: false, enableAutoPipelining: true, commandTimeout: this.config.commandTimeoutMs, maxRetriesPerRequest: 0, retryStrategy }) as Redis & Scripts;
    this.redis.defineCommand('tsPut', { numberOfKeys: 6, lua: PUT });
    this.redis.defineCommand('tsRemove', { numberOfKeys: 4, lua: REMOVE });
    this.redis.defineCommand('tsHas', { numberOfKeys: 3, lua: HAS });
    this.redis.defineCommand('tsCounts', { numberOfKeys: 3, lua: COUNTS });
    this.redis.defineCommand('tsSample', { numberOfKeys: 3, lua: SAMPLE });
    this.redis.defineCommand('tsReap', { numberOfKeys: 2, lua: REAP });
    this.redis.on('error', (err: Error) => this.noteState('down', err));
    this.redis.on('close', () => this.noteState('down'));
    this.redis.on('ready', () => {
      this.noteState('up');
      void this.beat();
    });

    // Subscriptions are re-made by ioredis after every reconnect; the queue holds them until then.
    this.sub = new Redis(this.config.url, { retryStrategy, maxRetriesPerRequest: null });
    this.sub.on('error', () => {});
    this.sub.on('message', (_channel: string, text: string) => {
      const message = parseRelay(text);
      if (message) this.relayHandler(message);
      else this.log.warn('relay_malformed', { chars: text.length });
    });
    void this.sub.subscribe(this.channel(this.nodeId)).catch(() => {});
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, Math.floor(this.config.nodeTtlMs / BEATS_PER_TTL)));
    this.heartbeat.unref();
  }

  private key(infoHash: string, part: 'peers' | 'seeders' | 'owner' | 'done'): string {
    return `${this.config.prefix}swarm:${hex(infoHash)}:${part}`;
  }

  private get nodesKey(): string {
    return `${this.config.prefix}nodes`;
  }

  private nodePeersKey(node: string): string {
    return `${this.config.prefix}node:${node}:peers`;
  }

  private channel(node: string): string {
    return `${this.config.prefix}relay:${node}`;
  }

  private cutoffs(): { peer: number; node: number } {
    const now = this.now();
    return { peer: now - this.peerTimeoutMs, node: now - this.config.nodeTtlMs };
  }

  private noteState(state: 'up' | 'down', err?: Error): void {
    if (state === this.lastState || this.closed) return;
    this.lastState = state;
    if (state === 'up') this.log.info('redis_up', { node: this.nodeId });
    else this.log.warn('redis_down', { node: this.nodeId, error: err ? err.message : 'connection closed' });
  }

  /** Runs a Redis step; when Redis fails, `fallback` answers from this process's memory. */
  private async orLocal<T>(step: () => Promise<T>, fallback: () => T): Promise<T> {
    if (this.redis.status !== 'ready') return fallback();
    try {
      return await step();
    } catch (err) {
      this.log.debug('redis_step_failed', { error: (err as Error).message });
      return fallback();
    }
  }

  async put(infoHash: string, a: PeerAnnounce): Promise<PutResult> {
    if (this.local.heldByOther(infoHash, a.peerId, a.connId)) return { ok: false, reason: 'peer_id_in_use' };
    const writeLocal = (): PutResult => putLocal(this.local, this.nodeId, infoHash, a);
    return this.orLocal(async () => {
      const left = a.left === undefined ? '-' : a.left === null ? '' : String(a.left);
      const r = await this.putRemote(infoHash, a.peerId, a.connId, left, a.nowMs, a.completed);
      if (r[0] === 0) return { ok: false, reason: 'peer_id_in_use' } as const;
      writeLocal();
      return { ok: true, counts: { complete: Number(r[1]), incomplete: Number(r[2]), downloaded: 0 } } as const;
    }, writeLocal);
  }

  private putRemote(infoHash: string, peerId: string, connId: number, left: string, nowMs: number, completed: boolean): Promise<ScriptResult> {
    const { peer, node } = this.cutoffs();
    const keys = [this.key(infoHash, 'peers'), this.key(infoHash, 'seeders'), this.key(infoHash, 'owner'), this.key(infoHash, 'done'), this.nodesKey, this.nodePeersKey(this.nodeId)];
    return this.redis.tsPut(...keys, hex(peerId), this.nodeId, connId, left, nowMs, peer, node, this.peerTimeoutMs, completed ? '1' : '0', hex(infoHash));
  }

  async remove(infoHash: string, peerId: string): Promise<void> {
    const rec = this.local.getPeer(infoHash, peerId);
    if (!rec || !this.local.removePeer(infoHash, peerId)) return;
    await this.orLocal(async () => {
      const keys = [this.key(infoHash, 'peers'), this.key(infoHash, 'seeders'), this.key(infoHash, 'owner'), this.nodePeersKey(this.nodeId)];
      await this.redis.tsRemove(...keys, hex(peerId), `${this.nodeId}|${rec.connId}|`, `${hex(infoHash)}|${hex(peerId)}`);
    }, () => undefined);
  }

  async has(infoHash: string, peerId: string): Promise<boolean> {
    const inMemory = (): boolean => this.local.getPeer(infoHash, peerId) !== undefined;
    return this.orLocal(async () => {
      const { peer, node } = this.cutoffs();
      return (await this.redis.tsHas(this.key(infoHash, 'peers'), this.key(infoHash, 'owner'), this.nodesKey, hex(peerId), peer, node)) === 1;
    }, inMemory);
  }

  async counts(infoHashes: string[]): Promise<SwarmCounts[]> {
    return this.orLocal(
      () => {
        const { peer } = this.cutoffs();
        return Promise.all(infoHashes.map(async (h) => {
          const [complete, incomplete, downloaded] = await this.redis.tsCounts(this.key(h, 'peers'), this.key(h, 'seeders'), this.key(h, 'done'), peer);
          return { complete: complete!, incomplete: incomplete!, downloaded: downloaded! };
        }));
      },
      () => infoHashes.map((h) => this.local.counts(h)),
    );
  }

  async sample(infoHash: string, n: number, excludePeerId: string, random: () => number): Promise<PeerRecord[]> {
    if (n <= 0) return [];
    return this.orLocal(async () => {
      const { peer, node } = this.cutoffs();
      const flat = await this.redis.tsSample(this.key(infoHash, 'peers'), this.key(infoHash, 'owner'), this.nodesKey, n, hex(excludePeerId), peer, node);
      const out: PeerRecord[] = [];
      for (let i = 0; i + 1 < flat.length && out.length < n; i += 2) {
        const [owner, conn, left] = flat[i + 1]!.split('|');
        out.push({ peerId: binary(flat[i]!), node: owner!, connId: Number(conn), left: left === '' ? null : Number(left), lastAnnounceMs: 0 });
      }
      return out;
    }, () => this.local.samplePeers(infoHash, n, excludePeerId, random));
  }

  async relay(node: string, message: Relay): Promise<boolean> {
    if (this.redis.status !== 'ready') return false;
    try {
      return (await this.redis.publish(this.channel(node), JSON.stringify(message))) > 0;
    } catch {
      return false;
    }
  }

  onRelay(handler: (message: Relay) => void): void {
    this.relayHandler = handler;
  }

  health(): StoreHealth {
    return { store: 'redis', redis: this.redis.status === 'ready' ? 'up' : 'down' };
  }

  /**
   * Says this process is alive, and reaps the peers of processes that are not. When our own entry was
   * missing (Redis restarted, or we were cut off long enough to be reaped), writes our peers back.
   */
  private async beat(): Promise<void> {
    if (this.closed || this.redis.status !== 'ready') return;
    try {
      const added = await this.redis.zadd(this.nodesKey, this.now(), this.nodeId);
      if (added === 1) await this.resync();
      const dead = await this.redis.zrangebyscore(this.nodesKey, '-inf', `(${this.cutoffs().node}`, 'LIMIT', 0, 16);
      for (const node of dead) await this.reap(node);
    } catch (err) {
      this.log.debug('redis_heartbeat_failed', { error: (err as Error).message });
    }
  }

  private async reap(node: string): Promise<void> {
    let removed = 0;
    for (;;) {
      const n = await this.redis.tsReap(this.nodesKey, this.nodePeersKey(node), this.config.prefix, node, this.cutoffs().node, REAP_BATCH);
      if (n < 0) return;
      removed += n;
      if (n < REAP_BATCH) break;
    }
    this.log.info('node_reaped', { node, peers: removed });
  }

  /** Writes every peer of this process back to Redis (after Redis lost them). */
  private async resync(): Promise<void> {
    const all = this.local.entries();
    for (let i = 0; i < all.length; i += RESYNC_BATCH) {
      await Promise.all(all.slice(i, i + RESYNC_BATCH).map(({ infoHash, peer }) =>
        this.putRemote(infoHash, peer.peerId, peer.connId, peer.left === null ? '' : String(peer.left), peer.lastAnnounceMs, false)));
    }
    if (all.length > 0) this.log.info('redis_resynced', { node: this.nodeId, peers: all.length });
  }

  /** Leaves the cluster: our peers disappear for the other processes at once, not after the TTL. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.heartbeat);
    if (this.redis.status === 'ready') {
      try {
        await this.redis.zrem(this.nodesKey, this.nodeId);
        await this.reap(this.nodeId);
      } catch (err) {
        this.log.warn('redis_leave_failed', { error: (err as Error).message });
      }
    }
    this.closed = true;
    this.redis.disconnect();
    this.sub.disconnect();
  }
}
