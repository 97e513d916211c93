/**
 * What a torrent reports about itself: the UI, the CLI and the teaching demo read these, never the
 * parts' state. Built on demand (stats() in torrent.ts) from the parts' getters; its cost grows with
 * the piece count (bitfield strings, availability), so it is for people, a few times a second.
 */
import type { ChokeClock } from './choke-scheduler.ts';
import type { ConnectionRoute } from './connection-route.ts';

export interface PeerStats {
  key: string;
  id: string | null;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  optimistic: boolean;
  downloadRate: number;
  uploadRate: number;
  pieces: number;
  /** The peer's bitfield as "1010…" (empty before the metadata). */
  bitfield: string;
  /** What a Tabswarm peer advertised about itself (BEP 10 handshake key `tabswarm`), if anything. */
  advert: Record<string, number> | null;
  /** A WebRTC peer's connection: straight or through a TURN relay (null: not known yet, or not WebRTC). */
  route: ConnectionRoute | null;
  /** A web seed (an HTTP origin), not a peer. */
  origin: boolean;
}

export interface TorrentStats {
  infoHash: string;
  name: string | null;
  length: number | null;
  pieceCount: number | null;
  piecesHave: number;
  bytesVerified: number;
  downloaded: number;
  /** Of `downloaded`, the bytes that came from origins (web seeds). */
  originDownloaded: number;
  uploaded: number;
  downloadRate: number;
  uploadRate: number;
  done: boolean;
  /** Copies of each piece among connected peers (plus ours). */
  availability: number[];
  /** Our verified pieces as "1010…" (empty before the metadata). */
  have: string;
  /** Pieces started and not yet verified. */
  inProgress: number[];
  /** Block requests we have out to peers now. */
  requestsInFlight: number;
  peers: PeerStats[];
  /** Pieces whose data failed verification and were fetched again. */
  hashFailures: number;
  banned: number;
  /** The choker's clock: when it last ran on schedule, when it runs next, and when the optimistic unchoke next moves on. */
  choker: ChokeClock;
}
