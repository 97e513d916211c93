/**
 * GET /metrics through prom-client, the conventional Prometheus library: the tracker's counters
 * and gauges (read from Metrics and the store when scraped, so counting stays a plain `++`) and
 * Node's default process metrics (CPU, memory, event-loop lag, GC, handles). One registry per
 * server, so several servers in one process (tests, a host app) never share or clash.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Gauges, Metrics } from './metrics.ts';

export interface MetricsEndpoint {
  contentType: string;
  render(): Promise<string>;
}

export function createMetricsEndpoint(metrics: Metrics, gauges: () => Gauges): MetricsEndpoint {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const gauge = (name: string, help: string, read: (g: Gauges) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(gauges()));
      },
    });
  gauge('tabswarm_sockets', 'Open tracker WebSocket connections.', (g) => g.sockets);
  gauge('tabswarm_swarms', 'Swarms with at least one peer connected to this process.', (g) => g.swarms);
  gauge('tabswarm_peers', 'Peers announced through this process, across all swarms.', (g) => g.peers);
  gauge('tabswarm_pending_offers', 'Forwarded offers awaiting an answer.', (g) => g.pendingOffers);

  // A counter's value is ours to keep; at each scrape it is set to it (reset, then add the total).
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('tabswarm_sockets_opened_total', 'Tracker WebSocket connections accepted.', () => metrics.socketsOpened);
  counter('tabswarm_announces_total', 'Announces accepted.', () => metrics.announces);
  counter('tabswarm_scrapes_total', 'Scrapes answered.', () => metrics.scrapes);
  counter('tabswarm_offers_relayed_total', 'SDP offers forwarded to peers.', () => metrics.offersRelayed);
  counter('tabswarm_answers_relayed_total', 'SDP answers delivered to offerers.', () => metrics.answersRelayed);
  counter('tabswarm_peers_timed_out_total', 'Peers dropped for missing announces.', () => metrics.peersTimedOut);
  new Counter({
    name: 'tabswarm_rejects_total',
    help: 'Messages or connections refused, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, n] of metrics.rejects) this.inc({ reason }, n);
    },
  });

  return { contentType: registry.contentType, render: () => registry.metrics() };
}
