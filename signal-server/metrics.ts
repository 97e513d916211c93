/**
 * The tracker's counters: plain numbers the hot path increments (an announce costs one `++`);
 * prometheus.ts exposes them, with the gauges and Node's default metrics, at GET /metrics.
 */

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

/** Current levels, read when /metrics is scraped. */
export interface Gauges {
  sockets: number;
  swarms: number;
  peers: number;
  pendingOffers: number;
}

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
}
