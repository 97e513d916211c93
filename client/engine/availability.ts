/**
 * Piece availability: which connected peer has which piece, how many copies of each piece the
 * neighbourhood holds, and — per peer — how many of its pieces we still lack, so interest is a
 * counter (O(1) per HAVE) rather than a scan of the bitfield.
 *
 * It also keeps the pieces we lack ordered by their copy count (libtorrent's piece picker does the
 * same): `order` holds them grouped in buckets of equal count, bucket c at
 * [bucketStart[c], bucketStart[c + 1]). A HAVE moves one piece to the neighbouring bucket by one
 * swap, so rarest-first picking never sorts, and no step costs more as the torrent grows.
 *
 * The only writer of availability: everyone else reads it through the getters.
 */
import { Bitfield } from '../../shared/bitfield.ts';

interface PeerPieces {
  has: Bitfield;
  /**
   * Its pieces count as copies. An origin's (a web seed's) do not: it has every piece, so counting
   * it would hide which pieces the swarm itself lacks — exactly what the offload policy asks.
   */
  counted: boolean;
  /** Pieces this peer has that we lack: we are interested while it is above zero. */
  wanted: number;
}

/** Copy counts a peer's own pieces fall in: it holds one copy itself. */
const ANY_COPIES = { min: 1, max: Infinity };

/** What a change did to our interest in one peer. */
export type InterestChange = { key: string; interested: boolean };

export class Availability {
  private readonly counts: Uint16Array;
  private readonly peers = new Map<string, PeerPieces>();
  /** Pieces we lack, grouped by copy count (see above). */
  private readonly order: Uint32Array;
  /** order[position[i]] === i for a piece we lack; -1 once we have it. */
  private readonly position: Int32Array;
  /** bucketStart[c] = first position of the pieces with c copies; bucketStart[maxCount + 1] = end. */
  private bucketStart: Uint32Array;
  private lacking: number;
  /**
   * Pieces we have, as this part was told (onWeHave). Its own copy, not completion's bitfield:
   * completion sets its bit before the store confirms and before onWeHave, and a HAVE arriving in
   * between must be counted by the same rule onWeHave uncounts it by, or wanted drifts low and we
   * lose interest in a peer that still has pieces we lack.
   */
  private readonly weHave: Bitfield;

  constructor(
    readonly pieceCount: number,
    weHave: Bitfield,
    random: () => number,
  ) {
    this.weHave = new Bitfield(pieceCount, weHave.bytes);
    this.counts = new Uint16Array(pieceCount);
    this.order = new Uint32Array(pieceCount);
    this.position = new Int32Array(pieceCount).fill(-1);
    let n = 0;
    for (let i = 0; i < pieceCount; i++) if (!weHave.get(i)) this.order[n++] = i;
    // Shuffled once, so equally rare pieces come in a random order (ties broken at random).
    for (let k = n - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      const t = this.order[k]!;
      this.order[k] = this.order[j]!;
      this.order[j] = t;
    }
    for (let k = 0; k < n; k++) this.position[this.order[k]!] = k;
    this.lacking = n;
    this.bucketStart = Uint32Array.of(0, n);
  }

  /** Copies of piece i among connected peers. */
  count(i: number): number {
    return this.counts[i] ?? 0;
  }

  /** Copies of every piece among connected peers (a copy, for stats). */
  countsSnapshot(): number[] {
    return Array.from(this.counts);
  }

  peerHas(key: string, i: number): boolean {
    return this.peers.get(key)?.has.get(i) ?? false;
  }

  /** The peer's pieces (null for a peer we know nothing of). */
  peerBitfield(key: string): Bitfield | null {
    return this.peers.get(key)?.has ?? null;
  }

  /** Pieces the peer has that we lack. */
  wanted(key: string): number {
    return this.peers.get(key)?.wanted ?? 0;
  }

  addPeer(key: string, opts: { counted: boolean } = { counted: true }): void {
    if (!this.peers.has(key)) this.peers.set(key, { has: new Bitfield(this.pieceCount), counted: opts.counted, wanted: 0 });
  }

  /** A HAVE: returns true when it made the peer interesting (its first piece we lack). */
  onHave(key: string, i: number): boolean {
    const p = this.peers.get(key);
    if (!p || i < 0 || i >= this.pieceCount || p.has.get(i)) return false;
    p.has.set(i);
    if (p.counted) this.increment(i);
    if (this.weHave.get(i)) return false;
    return ++p.wanted === 1;
  }

  /** A whole bitfield (already validated). */
  onBitfield(key: string, bits: Bitfield): void {
    const bytes = bits.bytes;
    for (let byte = 0; byte < bytes.length; byte++) {
      if (bytes[byte] === 0) continue;
      for (let i = byte * 8; i < Math.min(this.pieceCount, byte * 8 + 8); i++) if (bits.get(i)) this.onHave(key, i);
    }
  }

  removePeer(key: string): void {
    const p = this.peers.get(key);
    if (!p) return;
    this.peers.delete(key);
    if (!p.counted) return;
    const bytes = p.has.bytes;
    for (let byte = 0; byte < bytes.length; byte++) {
      if (bytes[byte] === 0) continue;
      for (let i = byte * 8; i < Math.min(this.pieceCount, byte * 8 + 8); i++) if (p.has.get(i)) this.decrement(i);
    }
  }

  /**
   * We now have piece i (the caller's bitfield already says so): it leaves the rarity order, and
   * peers whose last wanted piece it was become uninteresting. Returns those peers.
   */
  onWeHave(i: number): string[] {
    if (this.weHave.get(i)) return [];
    this.weHave.set(i);
    this.removeFromOrder(i);
    const lost: string[] = [];
    for (const [key, p] of this.peers) if (p.has.get(i) && --p.wanted === 0) lost.push(key);
    return lost;
  }

  /**
   * The rarest piece in `has` that `skip` does not rule out, with between `copies.min` and
   * `copies.max` copies (a peer's pieces have at least one: its own; an origin's may have none);
   * ties in the order of a random shuffle, starting at a random place in the bucket. For a peer
   * with few wanted pieces its own bitfield is scanned instead, which is then cheaper than the order.
   */
  rarestIn(has: Bitfield, wanted: number, skip: (i: number) => boolean, random: () => number, copies: { min: number; max: number } = ANY_COPIES): number | null {
    if (wanted === 0) return null;
    if (wanted * 8 < this.lacking) return this.rarestInBitfield(has, (i) => skip(i) || this.counts[i]! < copies.min || this.counts[i]! > copies.max, random, false);
    for (let c = copies.min; c + 1 < this.bucketStart.length && c <= copies.max; c++) {
      const start = this.bucketStart[c]!;
      const size = this.bucketStart[c + 1]! - start;
      if (size === 0) continue;
      const offset = Math.floor(random() * size);
      for (let k = 0; k < size; k++) {
        const i = this.order[start + ((offset + k) % size)]!;
        if (has.get(i) && !skip(i)) return i;
      }
    }
    return null;
  }

  /** A piece in `has` we lack and `skip` allows, uniformly at random (the random first pieces). */
  randomIn(has: Bitfield, skip: (i: number) => boolean, random: () => number): number | null {
    return this.rarestInBitfield(has, skip, random, true);
  }

  /**
   * For fixtures: availability as given per piece, as if that many peers had each piece. The
   * counts come from anonymous peers, so wanted() knows nothing of them.
   */
  static withCounts(counts: readonly number[], weHave: Bitfield, random: () => number): Availability {
    const a = new Availability(counts.length, weHave, random);
    for (const [i, n] of counts.entries()) for (let k = 0; k < n; k++) a.increment(i);
    return a;
  }

  /** Pieces we lack (started ones included). */
  get lackingCount(): number {
    return this.lacking;
  }

  /** Scans a peer's bitfield byte by byte: lowest count (or any, if `ignoreCount`), reservoir-sampled ties. */
  private rarestInBitfield(has: Bitfield, skip: (i: number) => boolean, random: () => number, ignoreCount: boolean): number | null {
    let best: number | null = null;
    let bestCount = Infinity;
    let ties = 0;
    const bytes = has.bytes;
    for (let byte = 0; byte < bytes.length; byte++) {
      if (bytes[byte] === 0) continue;
      for (let i = byte * 8; i < Math.min(this.pieceCount, byte * 8 + 8); i++) {
        if (!has.get(i) || this.weHave.get(i) || skip(i)) continue;
        const c = ignoreCount ? 0 : this.counts[i]!;
        if (c < bestCount) {
          best = i;
          bestCount = c;
          ties = 1;
        } else if (c === bestCount && random() * ++ties < 1) {
          best = i;
        }
      }
    }
    return best;
  }

  private increment(i: number): void {
    const c = this.counts[i]!;
    this.counts[i] = c + 1;
    const pos = this.position[i]!;
    if (pos < 0) return;
    if (c + 2 >= this.bucketStart.length) this.growBuckets(c + 2);
    // Swap to the end of bucket c; that slot then starts bucket c + 1.
    const last = this.bucketStart[c + 1]! - 1;
    this.swap(pos, last);
    this.bucketStart[c + 1] = last;
  }

  private decrement(i: number): void {
    const c = this.counts[i]!;
    if (c === 0) return;
    this.counts[i] = c - 1;
    const pos = this.position[i]!;
    if (pos < 0) return;
    // Swap to the start of bucket c; that slot then ends bucket c − 1.
    const first = this.bucketStart[c]!;
    this.swap(pos, first);
    this.bucketStart[c] = first + 1;
  }

  /** Moves piece i to the very end (one swap per bucket above it), then shortens the order. */
  private removeFromOrder(i: number): void {
    let pos = this.position[i]!;
    if (pos < 0) return;
    for (let c = this.counts[i]!; c + 1 < this.bucketStart.length; c++) {
      const last = this.bucketStart[c + 1]! - 1;
      this.swap(pos, last);
      pos = last;
      this.bucketStart[c + 1] = last; // the end of bucket c moves down; i now sits at the start of c + 1
    }
    // i is now the last element of the array, past every bucket's end.
    this.position[i] = -1;
    this.lacking--;
    this.bucketStart[this.bucketStart.length - 1] = this.lacking;
  }

  private growBuckets(size: number): void {
    const grown = new Uint32Array(Math.max(size + 1, this.bucketStart.length * 2));
    grown.set(this.bucketStart);
    grown.fill(this.lacking, this.bucketStart.length);
    this.bucketStart = grown;
  }

  private swap(a: number, b: number): void {
    if (a === b) return;
    const pa = this.order[a]!;
    const pb = this.order[b]!;
    this.order[a] = pb;
    this.order[b] = pa;
    this.position[pb] = a;
    this.position[pa] = b;
  }
}
