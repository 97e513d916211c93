/** Counters and gauges for GET /metrics, in the Prometheus text exposition format. */

/** Why a message or connection was refused; each is a label of tabswarm_rejects_total and a row in docs/tracker-protocol.md. */
export const REJECT_REASONS = [
  'invalid_json',
  'invalid_message',
  'binary_frame',
  'frame_too_large',
  'rate_limited',
  'peer_id_in_use',
  'not_your_peer',
  'too_many_swarms',
  'unknown_offer',
  'offerer_gone',
  'too_many_sockets_per_ip',
  'slow_reader',
  'heartbeat_timeout',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

export class Metrics {
  announces = 0;
  scrapes = 0;
  offersRelayed = 0;
  answersRelayed = 0;
  peersTimedOut = 0;
  socketsOpened = 0;
  readonly rejects = new Map<RejectReason, number>();

  reject(reason: RejectReason): void {
    this.rejects.set(reason, (this.rejects.get(reason) ?? 0) + 1);
  }

  render(gauges: { sockets: number; swarms: number; peers: number; pendingOffers: number }): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    };
    metric('tabswarm_sockets', 'gauge', 'Open tracker WebSocket connections.', gauges.sockets);
    metric('tabswarm_swarms', 'gauge', 'Swarms with at least one peer connected to this process.', gauges.swarms);
    metric('tabswarm_peers', 'gauge', 'Peers announced through this process, across all swarms.', gauges.peers);
    metric('tabswarm_pending_offers', 'gauge', 'Forwarded offers awaiting an answer.', gauges.pendingOffers);
    metric('tabswarm_sockets_opened_total', 'counter', 'Tracker WebSocket connections accepted.', this.socketsOpened);
    metric('tabswarm_announces_total', 'counter', 'Announces accepted.', this.announces);
    metric('tabswarm_scrapes_total', 'counter', 'Scrapes answered.', this.scrapes);
    metric('tabswarm_offers_relayed_total', 'counter', 'SDP offers forwarded to peers.', this.offersRelayed);
    metric('tabswarm_answers_relayed_total', 'counter', 'SDP answers delivered to offerers.', this.answersRelayed);
    metric('tabswarm_peers_timed_out_total', 'counter', 'Peers dropped for missing announces.', this.peersTimedOut);
    lines.push('# HELP tabswarm_rejects_total Messages or connections refused, by reason.', '# TYPE tabswarm_rejects_total counter');
    for (const [reason, n] of [...this.rejects].sort()) lines.push(`tabswarm_rejects_total{reason="${reason}"} ${n}`);
    return `${lines.join('\n')}\n`;
  }
}
