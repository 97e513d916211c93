/** One Node process, one port: the built app over HTTP, /config, /healthz, /metrics, and the tracker on upgrade. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from './config.ts';
import { createStaticHandler } from './http/static.ts';
import { createLogger, type Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { TrackerGateway } from './tracker/gateway.ts';
import type { SwarmStore } from './tracker/swarm-store.ts';
import { createTrackerService } from './tracker-service.ts';
import { iceConfigAt } from './turn.ts';
import { createMetricsEndpoint } from './prometheus.ts';
import { FileStore } from './store/file-store.ts';
import { createStoreHandler } from './store/routes.ts';
import type { StoreLimits } from '../shared/store-api.ts';

/** How often the store deletes what has expired. */
const STORE_SWEEP_INTERVAL_MS = 10 * 60_000;

export interface TabswarmServer {
  http: Server;
  store: SwarmStore;
  tracker: TrackerGateway;
  metrics: Metrics;
  /** Resolves with the bound port (useful with PORT=0 in tests). */
  listen(): Promise<number>;
  /** Graceful: stop accepting, send every socket a going-away close, cut stragglers after the grace period. */
  close(): Promise<void>;
}

export interface ServerDeps {
  log?: Logger;
  /** Shared swarm state; by default this process's memory, or Redis when the config names one. */
  store?: SwarmStore;
  now?: () => number;
  random?: () => number;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

export function createTabswarmServer(config: ServerConfig, deps: ServerDeps = {}): TabswarmServer {
  const log = deps.log ?? createLogger(config.logLevel);
  const { store, tracker, metrics } = createTrackerService({ tracker: config.tracker, redis: config.redis, log, store: deps.store, now: deps.now, random: deps.random });
  const prometheus = createMetricsEndpoint(metrics, () => ({ sockets: tracker.socketCount, ...store.local.stats(), pendingOffers: tracker.core.pendingOffers }));
  const serveStatic = createStaticHandler(config.staticDir);
  const storeLimits: StoreLimits | null = config.store ? { maxFileBytes: config.store.maxFileBytes, maxTotalBytes: config.store.maxTotalBytes, expiryMs: config.store.expiryMs } : null;
  const now = deps.now ?? Date.now;
  // Built per request: a TURN credential is fresh each time (and expires; the page asks again).
  const configBody = () => JSON.stringify({ ...iceConfigAt(config.iceServers, config.turn, now()), store: storeLimits });
  const storeConfig = config.store;
  const fileStore = storeConfig ? FileStore.open(storeConfig, deps.now) : null;
  // Opening failed (a folder we cannot write): the server still runs; store requests say why.
  fileStore?.catch((err: unknown) => log.error('store_open_failed', { dir: storeConfig!.dir, error: String(err) }));
  const handleStore = fileStore?.then((s) => createStoreHandler(s, (req) => storeConfig!.publicUrl ?? `${req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`));
  const sweep = fileStore ? setInterval(() => void fileStore.then((s) => s.sweep()).catch(() => {}), STORE_SWEEP_INTERVAL_MS) : null;
  sweep?.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      // Still 200 when Redis is away: this process keeps serving its own peers, so a load balancer should keep it.
      const health = store.health();
      const status = health.store === 'redis' && health.redis === 'down' ? 'degraded' : 'ok';
      return send(res, 200, JSON.stringify({ status, sockets: tracker.socketCount, ...store.local.stats(), ...health }), 'application/json');
    }
    // Embedded widgets on other sites read it too.
    if (path === '/config') return send(res, 200, configBody(), 'application/json', { 'access-control-allow-origin': '*' });
    if (path === '/metrics') return send(res, 200, await prometheus.render(), prometheus.contentType);
    if (handleStore && (await (await handleStore)(req, res, path))) return;
    if (await serveStatic(req, res)) return;
    send(res, 404, 'Not found\n');
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('http_error', { path: req.url, error: String(err) });
      if (!res.headersSent) send(res, 500, 'Internal error\n');
      else res.destroy();
    });
  });
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!tracker.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });
  http.on('clientError', (_err, socket) => socket.destroy());

  return {
    http,
    store,
    tracker,
    metrics,
    listen: () =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolve((http.address() as AddressInfo).port);
        });
      }),
    close: async () => {
      if (sweep) clearInterval(sweep);
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      tracker.close();
      http.closeIdleConnections();
      const grace = setTimeout(() => {
        tracker.terminateAll();
        http.closeAllConnections();
      }, config.shutdownGraceMs);
      grace.unref();
      await closed;
      clearTimeout(grace);
      await store.close();
    },
  };
}
