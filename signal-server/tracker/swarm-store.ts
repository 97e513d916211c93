/**
 * The swarm store: who is in which swarm across every tracker process that shares it. The core
 * asks it (and nothing else) for membership, so one process in memory and several on Redis run the
 * same decisions. Reads that cross processes are asynchronous; a process's own peers are also kept
 * in `local`, synchronously, so answers and offers between its own sockets never wait on the network.
 */
import type { Relay } from './relay.ts';
import { PeerTable, type PeerAnnounce, type PeerRecord, type SwarmCounts } from './peer-table.ts';

export type PutResult = { ok: true; counts: SwarmCounts } | { ok: false; reason: 'peer_id_in_use' };

/** What /healthz reports about the shared store. */
export type StoreHealth = { store: 'memory' } | { store: 'redis'; redis: 'up' | 'down' };

export interface SwarmStore {
  /** This process's name among those sharing the store. */
  readonly nodeId: string;
  /** This process's own peers. */
  readonly local: PeerTable;
  /** Records an announce; refused when another live connection (here or elsewhere) holds the peer id. */
  put(infoHash: string, announce: PeerAnnounce): Promise<PutResult>;
  /** Takes one of this process's peers out of the swarm. */
  remove(infoHash: string, peerId: string): Promise<void>;
  /** Whether any live connection anywhere has announced this peer id in this swarm. */
  has(infoHash: string, peerId: string): Promise<boolean>;
  counts(infoHashes: string[]): Promise<SwarmCounts[]>;
  /** Up to `n` distinct live peers at random, never `excludePeerId`; they may belong to other processes. */
  sample(infoHash: string, n: number, excludePeerId: string, random: () => number): Promise<PeerRecord[]>;
  /** Sends a signalling message to another process; false when it cannot be sent now. */
  relay(node: string, message: Relay): Promise<boolean>;
  /** Messages other processes relay to this one. */
  onRelay(handler: (message: Relay) => void): void;
  health(): StoreHealth;
  close(): Promise<void>;
}

/** The node id of a tracker that shares nothing. */
export const LOCAL_NODE = 'local';

/** One process, nothing shared: the store is its memory. */
export class MemorySwarmStore implements SwarmStore {
  readonly nodeId = LOCAL_NODE;
  readonly local = new PeerTable();

  async put(infoHash: string, announce: PeerAnnounce): Promise<PutResult> {
    return putLocal(this.local, this.nodeId, infoHash, announce);
  }

  async remove(infoHash: string, peerId: string): Promise<void> {
    this.local.removePeer(infoHash, peerId);
  }

  async has(infoHash: string, peerId: string): Promise<boolean> {
    return this.local.getPeer(infoHash, peerId) !== undefined;
  }

  async counts(infoHashes: string[]): Promise<SwarmCounts[]> {
    return infoHashes.map((h) => this.local.counts(h));
  }

  async sample(infoHash: string, n: number, excludePeerId: string, random: () => number): Promise<PeerRecord[]> {
    return this.local.samplePeers(infoHash, n, excludePeerId, random);
  }

  async relay(): Promise<boolean> {
    return false;
  }

  onRelay(): void {}

  health(): StoreHealth {
    return { store: 'memory' };
  }

  async close(): Promise<void> {}
}

/** An announce against this process's memory alone (also the fallback while Redis is unreachable). */
export function putLocal(local: PeerTable, node: string, infoHash: string, announce: PeerAnnounce): PutResult {
  if (local.heldByOther(infoHash, announce.peerId, announce.connId)) return { ok: false, reason: 'peer_id_in_use' };
  local.announce(infoHash, node, announce);
  return { ok: true, counts: local.counts(infoHash) };
}
