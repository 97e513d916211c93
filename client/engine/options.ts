/** Every interval and limit of the engine, with the protocol's defaults; tests pass milliseconds. */
import { OPTIMISTIC_UNCHOKE_INTERVAL_MS, RECHOKE_INTERVAL_MS, REGULAR_UNCHOKE_SLOTS } from '../../shared/constants.ts';
import { METADATA_TIMEOUT_MS } from './metadata-exchange.ts';
import { DEFAULT_OFFLOAD_OPTIONS, type OffloadOptions } from './offload.ts';
import { RANDOM_FIRST_PIECES } from './picker.ts';

/** Every interval and limit of the engine; the web-seed offload options are in offload.ts. */
export interface EngineOptions extends OffloadOptions {
  rechokeIntervalMs: number;
  optimisticIntervalMs: number;
  unchokeSlots: number;
  randomFirstPieces: number;
  /** A request unanswered this long is given back to the picker for another peer. */
  blockTimeoutMs: number;
  /** A magnet's metadata source that sends nothing for this long is passed over for the next one. */
  metadataTimeoutMs: number;
  /** A peer that unchoked us but sent no block for this long is snubbed (no regular slot by rate). */
  snubTimeoutMs: number;
  /** Housekeeping period: timeouts, keep-alives, refilling request pipelines. */
  tickMs: number;
  /** BEP 3 keep-alive: send one after this long without sending anything. */
  keepAliveMs: number;
  /** Requests a peer may have queued with us; more is a flood and the peer is dropped. */
  maxPeerRequests: number;
  /**
   * Our request pipeline per peer: pipelineSeconds of the peer's measured rate, between these.
   * The floor is small (a quarter piece): a peer sending us 13 KiB/s asked for a whole piece holds
   * that piece for 20 s, and with it a quarter of our total pipeline that faster peers could have
   * used — in the simulator's heterogeneous swarm the slowest peers got 113–228 KiB/s of their
   * 256 while their pipelines sat in slow peers' queues.
   */
  minPipeline: number;
  maxPipeline: number;
  /**
   * A peer we have no rate for yet is asked for this many blocks (a whole piece, so an uploader
   * that serves a piece at a time can send it whole), or for its share of the total pipeline when
   * more peers share it (never less than minPipeline).
   */
  newSourcePipeline: number;
  /** Seconds of a peer's rate to keep in flight. */
  pipelineSeconds: number;
  /**
   * All our requests together: at most this many seconds of what we have been receiving (at least
   * minTotalPipeline blocks; each source keeps a couple whatever the total). Many sources, each
   * given a whole piece, would otherwise queue minutes of a slow download at the senders, where
   * requests time out and come again as duplicates.
   */
  totalPipelineSeconds: number;
  minTotalPipeline: number;
  /**
   * Stop writing to a peer while its transport holds more than this. 4 MiB by default: at a
   * loopback data channel's ~25 MB/s, 1 MiB (40 ms of data) ran dry while the next batch was read
   * from IndexedDB. Chromium refuses a send past 16 MiB queued, and a batch adds a quarter of this.
   */
  sendHighWaterBytes: number;
  /**
   * All links together hold at most this long (ms) of the rate our upload drains at (at least one
   * piece), so the uploader's order — one piece at a time, rarest first — is the order the uplink
   * delivers in when the uplink, not a limit, is the bottleneck (uploader.ts); 0 lets each link fill
   * to its high-water mark.
   */
  uploadQueueMs: number;
  /**
   * Verified pieces waiting for the store at most; beyond, no new requests go out until writes
   * catch up. Storage slower than the network (IndexedDB often is) must not fill memory instead.
   */
  maxPendingWrites: number;
  /** Pieces of bad data after which a peer is banned from this swarm. */
  maxBadPieces: number;
  /** Upload and download limits in bytes/s for the whole torrent; 0 = none. */
  uploadLimit: number;
  downloadLimit: number;
  /**
   * Re-share with other peers (the point of BitTorrent). Off, the peer never unchokes anyone and so
   * uploads nothing, even once complete — client-server distribution, for the teaching demo.
   */
  reshare: boolean;
  /**
   * Initial seeding (see super-seed.ts): as a seeder, reveal pieces a few at a time, least spread
   * first, so the swarm gets every piece once before any twice. For a first seeder with limited
   * upload; off by default.
   */
  superSeed: boolean;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  rechokeIntervalMs: RECHOKE_INTERVAL_MS,
  optimisticIntervalMs: OPTIMISTIC_UNCHOKE_INTERVAL_MS,
  unchokeSlots: REGULAR_UNCHOKE_SLOTS,
  randomFirstPieces: RANDOM_FIRST_PIECES,
  blockTimeoutMs: 30_000,
  metadataTimeoutMs: METADATA_TIMEOUT_MS,
  snubTimeoutMs: 60_000,
  tickMs: 1_000,
  keepAliveMs: 60_000,
  maxPeerRequests: 500,
  minPipeline: 4,
  maxPipeline: 250,
  newSourcePipeline: 16,
  pipelineSeconds: 1,
  totalPipelineSeconds: 4,
  minTotalPipeline: 64,
  sendHighWaterBytes: 4 * 1024 * 1024,
  uploadQueueMs: 250,
  maxPendingWrites: 8,
  maxBadPieces: 2,
  uploadLimit: 0,
  downloadLimit: 0,
  reshare: true,
  superSeed: false,
  ...DEFAULT_OFFLOAD_OPTIONS,
};
