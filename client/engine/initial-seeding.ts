/**
 * Initial seeding as a part: which pieces have been revealed to which peer (with HAVE messages, in
 * place of a bitfield) and not yet reported back, and how many such reveals of each piece are in
 * flight. The choice of what to reveal is super-seed.ts's pure pickReveal.
 */
import type { Bitfield } from '../../shared/bitfield.ts';
import { pickReveal, revealTarget } from './super-seed.ts';

export interface InitialSeedingPort {
  /** Copies of piece i among connected peers. */
  copies(i: number): number;
  /** Tell the peer we have piece i (a reveal). */
  sendHave(key: string, i: number): void;
}

export class InitialSeeding {
  private readonly revealed = new Map<string, Set<number>>();
  /** Peers we unchoke: only what is revealed to them is on its way (a choked peer cannot fetch it). */
  private readonly unchoked = new Set<string>();
  /** Per piece: reveals to unchoked peers not yet reported back. */
  private readonly inFlight: Uint16Array;
  /** Per piece: reveals to any peer not yet reported back. */
  private readonly shown: Uint16Array;

  constructor(
    private readonly pieceCount: number,
    private readonly pieceLength: number,
    private readonly port: InitialSeedingPort,
    private readonly random: () => number,
  ) {
    this.inFlight = new Uint16Array(pieceCount);
    this.shown = new Uint16Array(pieceCount);
  }

  /** Reveal to this peer from now on (it gets no bitfield). */
  start(key: string): void {
    if (!this.revealed.has(key)) this.revealed.set(key, new Set());
  }

  isRevealingTo(key: string): boolean {
    return this.revealed.has(key);
  }

  /** We unchoked or choked this peer: what it was shown counts as on its way only while it may fetch it. */
  setUnchoked(key: string, unchoked: boolean): void {
    if (this.unchoked.has(key) === unchoked) return;
    if (unchoked) this.unchoked.add(key);
    else this.unchoked.delete(key);
    for (const i of this.revealed.get(key) ?? []) this.inFlight[i]! += unchoked ? 1 : -1;
  }

  /** Forgets reveals the peer now has, and reveals more up to its target (see revealTarget). */
  reveal(key: string, peerHas: Bitfield, rateBytesPerS: number): void {
    const revealed = this.revealed.get(key);
    if (!revealed) return;
    for (const i of revealed) {
      if (peerHas.get(i)) {
        revealed.delete(i);
        this.shown[i]!--;
        if (this.unchoked.has(key)) this.inFlight[i]!--;
      }
    }
    const state = { pieceCount: this.pieceCount, peerHas: (i: number) => peerHas.get(i), revealed, copies: (i: number) => this.port.copies(i), inFlight: (i: number) => this.inFlight[i]!, shown: (i: number) => this.shown[i]! };
    const target = revealTarget(rateBytesPerS, this.pieceLength);
    while (revealed.size < target) {
      const next = pickReveal(state, this.random);
      if (next === null) break;
      revealed.add(next);
      this.shown[next]!++;
      if (this.unchoked.has(key)) this.inFlight[next]!++;
      this.port.sendHave(key, next);
    }
  }

  removePeer(key: string): void {
    this.setUnchoked(key, false);
    for (const i of this.revealed.get(key) ?? []) this.shown[i]!--;
    this.revealed.delete(key);
  }
}
