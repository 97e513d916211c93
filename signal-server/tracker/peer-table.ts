/**
 * Who is in which swarm, in this process's memory. On its own it is the whole tracker's state; with
 * Redis it holds this process's own peers (the part that must keep working when Redis does not).
 * Keys are the binary strings of the wire protocol (20 chars, one byte each).
 */

export interface PeerRecord {
  peerId: string;
  /** The tracker process whose connection announced this peer. */
  node: string;
  /** That process's connection id; only this connection may act for the peer. */
  connId: number;
  /** Bytes left; 0 = seeder, null = unknown (a magnet peer before metadata), counted as leecher. */
  left: number | null;
  lastAnnounceMs: number;
}

export interface SwarmCounts {
  complete: number;
  incomplete: number;
  /** Completed downloads seen (announces with event "completed"). */
  downloaded: number;
}

/** One announce as the store sees it. */
export interface PeerAnnounce {
  peerId: string;
  connId: number;
  /** undefined = not sent: keep what the peer said before. */
  left: number | null | undefined;
  nowMs: number;
  /** The announce carried event "completed". */
  completed: boolean;
}

const isSeeder = (p: PeerRecord): boolean => p.left === 0;

/** One swarm: peers in an array (O(1) random sampling) plus an index by peer id. */
class Swarm {
  readonly peers: PeerRecord[] = [];
  readonly index = new Map<string, number>();
  seeders = 0;
  downloaded = 0;

  put(peer: PeerRecord): boolean {
    const at = this.index.get(peer.peerId);
    if (at === undefined) {
      this.index.set(peer.peerId, this.peers.length);
      this.peers.push(peer);
      if (isSeeder(peer)) this.seeders++;
      return true;
    }
    const old = this.peers[at]!;
    this.seeders += Number(isSeeder(peer)) - Number(isSeeder(old));
    this.peers[at] = peer;
    return false;
  }

  remove(peerId: string): boolean {
    const at = this.index.get(peerId);
    if (at === undefined) return false;
    const removed = this.peers[at]!;
    const last = this.peers.pop()!;
    if (last !== removed) {
      this.peers[at] = last;
      this.index.set(last.peerId, at);
    }
    this.index.delete(peerId);
    if (isSeeder(removed)) this.seeders--;
    return true;
  }
}

export class PeerTable {
  private readonly swarms = new Map<string, Swarm>();
  private peerCount = 0;

  getPeer(infoHash: string, peerId: string): PeerRecord | undefined {
    const swarm = this.swarms.get(infoHash);
    const at = swarm?.index.get(peerId);
    return at === undefined ? undefined : swarm!.peers[at];
  }

  putPeer(infoHash: string, peer: PeerRecord): boolean {
    let swarm = this.swarms.get(infoHash);
    if (!swarm) {
      swarm = new Swarm();
      this.swarms.set(infoHash, swarm);
    }
    const created = swarm.put(peer);
    if (created) this.peerCount++;
    return created;
  }

  removePeer(infoHash: string, peerId: string): boolean {
    const swarm = this.swarms.get(infoHash);
    if (!swarm || !swarm.remove(peerId)) return false;
    this.peerCount--;
    if (swarm.peers.length === 0) this.swarms.delete(infoHash);
    return true;
  }

  /** Whether another connection holds this peer id in this swarm. */
  heldByOther(infoHash: string, peerId: string, connId: number): boolean {
    const existing = this.getPeer(infoHash, peerId);
    return existing !== undefined && existing.connId !== connId;
  }

  /** Records an announce of a peer of `node` (the caller has checked heldByOther). */
  announce(infoHash: string, node: string, a: PeerAnnounce): void {
    const existing = this.getPeer(infoHash, a.peerId);
    const left = a.left === undefined ? (existing?.left ?? null) : a.left;
    this.putPeer(infoHash, { peerId: a.peerId, node, connId: a.connId, left, lastAnnounceMs: a.nowMs });
    if (a.completed && existing?.left !== 0) this.recordCompleted(infoHash);
  }

  recordCompleted(infoHash: string): void {
    const swarm = this.swarms.get(infoHash);
    if (swarm) swarm.downloaded++;
  }

  counts(infoHash: string): SwarmCounts {
    const swarm = this.swarms.get(infoHash);
    if (!swarm) return { complete: 0, incomplete: 0, downloaded: 0 };
    return { complete: swarm.seeders, incomplete: swarm.peers.length - swarm.seeders, downloaded: swarm.downloaded };
  }

  samplePeers(infoHash: string, n: number, excludePeerId: string, random: () => number): PeerRecord[] {
    const swarm = this.swarms.get(infoHash);
    if (!swarm || n <= 0) return [];
    const peers = swarm.peers;
    const candidates = peers.length - (swarm.index.has(excludePeerId) ? 1 : 0);
    const want = Math.min(n, candidates);
    if (want <= 0) return [];
    // Small swarms: shuffle a copy. Large ones: draw distinct indices (want ≪ size, few retries).
    if (peers.length <= 4 * want) {
      const pool = peers.filter((p) => p.peerId !== excludePeerId);
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      return pool.slice(0, want);
    }
    const picked = new Set<number>();
    const out: PeerRecord[] = [];
    while (out.length < want) {
      const i = Math.floor(random() * peers.length);
      if (picked.has(i) || peers[i]!.peerId === excludePeerId) continue;
      picked.add(i);
      out.push(peers[i]!);
    }
    return out;
  }

  stalePeers(cutoffMs: number): Array<{ infoHash: string; peerId: string }> {
    const out: Array<{ infoHash: string; peerId: string }> = [];
    for (const [infoHash, swarm] of this.swarms) {
      for (const p of swarm.peers) if (p.lastAnnounceMs < cutoffMs) out.push({ infoHash, peerId: p.peerId });
    }
    return out;
  }

  entries(): Array<{ infoHash: string; peer: PeerRecord }> {
    const out: Array<{ infoHash: string; peer: PeerRecord }> = [];
    for (const [infoHash, swarm] of this.swarms) for (const peer of swarm.peers) out.push({ infoHash, peer });
    return out;
  }

  stats(): { swarms: number; peers: number } {
    return { swarms: this.swarms.size, peers: this.peerCount };
  }
}
