/**
 * Carries the tracker core's decisions over real WebSockets: accepts upgrades on "/" and
 * "/announce", turns frames into validated messages, enforces per-socket and per-IP limits, sends
 * what the core decides, and keeps time (heartbeats, sweeps). One bad client costs itself a failure
 * reply or its connection, never the process.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { fullBucket, take, type TokenBucket } from '../../shared/token-bucket.ts';
import { parseJsonFrame, validateClientMessage, type ValidationLimits } from '../../shared/tracker/validate.ts';
import type { Logger } from '../log.ts';
import type { Metrics, RejectReason } from '../metrics.ts';
import { TrackerCore, type Effect } from './core.ts';
import type { TrackerOptions } from './options.ts';
import type { SwarmStore } from './swarm-store.ts';

export const TRACKER_PATHS = new Set(['/', '/announce']);

/** RFC 6455 close codes we use. */
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY_VIOLATION = 1008;

interface Socket {
  id: number;
  ws: WebSocket;
  ip: string;
  alive: boolean;
  bucket: TokenBucket;
  /** Messages of one socket are handled one after another, in order, even when the store is remote (Redis). */
  queue: Promise<void>;
}

export interface GatewayDeps {
  options: TrackerOptions;
  store: SwarmStore;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
  random?: () => number;
}

export class TrackerGateway {
  readonly core: TrackerCore;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<number, Socket>();
  private readonly perIp = new Map<string, number>();
  private readonly limits: ValidationLimits;
  private readonly timers: NodeJS.Timeout[] = [];
  private nextId = 1;
  private closing = false;

  constructor(private readonly deps: GatewayDeps) {
    const { options } = deps;
    this.core = new TrackerCore({ store: deps.store, options, metrics: deps.metrics, log: deps.log, random: deps.random });
    deps.store.onRelay((message) => this.apply(this.core.receive(message, this.now())));
    this.limits = { maxSdpLength: options.maxSdpBytes, maxOffers: options.maxOffersPerAnnounce, maxScrapeHashes: options.maxScrapeHashes };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    this.timers.push(setInterval(() => this.heartbeat(), options.heartbeatIntervalMs).unref());
    this.timers.push(setInterval(() => this.core.sweep(this.now()), options.sweepIntervalMs).unref());
  }

  get socketCount(): number {
    return this.sockets.size;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Called for every HTTP upgrade; returns false when the path is not the tracker's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!TRACKER_PATHS.has(path)) return false;
    if (this.closing) {
      socket.destroy();
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req.socket.remoteAddress ?? 'unknown'));
    return true;
  }

  private accept(ws: WebSocket, ip: string): void {
    const { options, metrics, log } = this.deps;
    const count = (this.perIp.get(ip) ?? 0) + 1;
    if (options.maxSocketsPerIp > 0 && count > options.maxSocketsPerIp) {
      metrics.reject('too_many_sockets_per_ip');
      log.warn('reject_socket', { reason: 'too_many_sockets_per_ip', ip });
      ws.close(CLOSE_POLICY_VIOLATION, `too many connections from your address (limit ${options.maxSocketsPerIp})`);
      return;
    }
    this.perIp.set(ip, count);
    const s: Socket = { id: this.nextId++, ws, ip, alive: true, bucket: fullBucket(options.announceBurst, this.now()), queue: Promise.resolve() };
    this.sockets.set(s.id, s);
    this.core.open(s.id);
    metrics.socketsOpened++;
    log.debug('socket_open', { conn: s.id, ip });

    ws.on('message', (data, isBinary) => this.onFrame(s, data, isBinary));
    ws.on('pong', () => (s.alive = true));
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself after these (1009 for an oversized frame).
      const reason: RejectReason = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame_too_large' : 'invalid_message';
      metrics.reject(reason);
      log.warn('socket_error', { conn: s.id, reason, code: err.code });
    });
    ws.on('close', () => this.drop(s));
  }

  private drop(s: Socket): void {
    if (!this.sockets.delete(s.id)) return;
    this.enqueue(s, () => this.core.close(s.id));
    const left = (this.perIp.get(s.ip) ?? 1) - 1;
    if (left <= 0) this.perIp.delete(s.ip);
    else this.perIp.set(s.ip, left);
    this.deps.log.debug('socket_close', { conn: s.id });
  }

  private onFrame(s: Socket, data: RawData, isBinary: boolean): void {
    const { options } = this.deps;
    if (isBinary) return this.apply([this.core.failure(s.id, 'binary_frame', 'The tracker speaks JSON text frames only.')]);
    const now = this.now();
    const token = take(s.bucket, now, options.announcesPerSecond, options.announceBurst);
    s.bucket = token.bucket;
    if (!token.allowed) {
      return this.apply([this.core.failure(s.id, 'rate_limited', `Too many messages: at most ${options.announcesPerSecond} per second (bursts of ${options.announceBurst}); slow down.`)]);
    }
    const json = parseJsonFrame(data.toString());
    if (!json.ok) return this.apply([this.core.failure(s.id, 'invalid_json', json.error.message)]);
    const msg = validateClientMessage(json.value, this.limits);
    if (!msg.ok) {
      const v = json.value as { action?: unknown; info_hash?: unknown };
      const ctx = typeof v === 'object' && v !== null && typeof v.info_hash === 'string' && v.info_hash.length === 20 ? { info_hash: v.info_hash } : {};
      return this.apply([this.core.failure(s.id, 'invalid_message', msg.error.message, ctx)]);
    }
    const message = msg.value;
    this.enqueue(s, async () => this.apply(await this.core.handle(s.id, message, now)));
  }

  private enqueue(s: Socket, task: () => Promise<void>): void {
    s.queue = s.queue.then(task).catch((err: unknown) => {
      // The store failed in a way it did not handle itself: this message is lost, the socket and process carry on.
      this.deps.log.error('handle_error', { conn: s.id, error: String(err) });
    });
  }

  private apply(effects: Effect[]): void {
    for (const e of effects) {
      if (e.type === 'relay') {
        void this.deps.store.relay(e.node, e.message).then((sent) => {
          if (!sent) this.deps.log.debug('relay_lost', { node: e.node, kind: e.message.kind });
        });
        continue;
      }
      const target = this.sockets.get(e.connId);
      if (!target || target.ws.readyState !== target.ws.OPEN) continue;
      // A reader that does not drain its socket would make us buffer without end: let it go.
      if (target.ws.bufferedAmount > this.deps.options.maxSendQueueBytes) {
        this.deps.metrics.reject('slow_reader');
        this.deps.log.warn('reject_socket', { conn: target.id, reason: 'slow_reader', buffered: target.ws.bufferedAmount });
        target.ws.terminate();
        continue;
      }
      target.ws.send(JSON.stringify(e.message));
    }
  }

  private heartbeat(): void {
    for (const s of this.sockets.values()) {
      if (!s.alive) {
        this.deps.metrics.reject('heartbeat_timeout');
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }

  /** Graceful shutdown: refuse new sockets, tell every client we are going away. */
  close(): void {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets.values()) s.ws.close(CLOSE_GOING_AWAY, 'server shutting down');
  }

  /** After close(): sockets that did not finish the closing handshake in time are cut. */
  terminateAll(): void {
    for (const s of this.sockets.values()) s.ws.terminate();
  }
}
