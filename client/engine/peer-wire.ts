/**
 * One peer's wire protocol over a transport: handshake, the four booleans of BEP 3 state, and
 * outgoing verbs that mirror incoming messages. It owns no policy (who to choke, what to request):
 * the torrent decides, this only speaks and listens. Garbage from the peer ends in one `error`.
 */
import { Emitter } from '../../shared/emitter.ts';
import type { TabswarmError } from '../../shared/errors.ts';
import { encodeHandshake, encodeMessage, PIECE_HEADER_BYTES, writePieceHeader } from '../../shared/wire/encode.ts';
import type { Handshake, WireMessage } from '../../shared/wire/messages.ts';
import { WireParser } from '../../shared/wire/parser.ts';
import { concatBytes } from '../../shared/bytes.ts';
import type { Transport } from './transport.ts';

export interface WireState {
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
}

type WireEvents = {
  handshake: [Handshake];
  message: [WireMessage];
  error: [TabswarmError];
  close: [string];
  drain: [];
};

export class PeerWire extends Emitter<WireEvents> {
  private readonly st: WireState = { amChoking: true, amInterested: false, peerChoking: true, peerInterested: false };
  private readonly parser = new WireParser();
  private closed = false;
  private sentAtMs = 0;
  /**
   * Small messages written in this turn of the event loop, sent together at its end. A data-channel
   * message costs its own SCTP packet, DTLS record and IPC hop whatever its size, so twenty 17-byte
   * requests sent one by one cost twenty times what one 340-byte message does.
   */
  private queued: Uint8Array[] = [];

  constructor(
    readonly transport: Transport,
    private readonly now: () => number,
  ) {
    super();
    transport.onData = (data) => this.onData(data);
    transport.onClose = (reason) => this.finish(reason ?? 'connection closed');
    transport.onDrain = () => this.emit('drain');
  }

  /** The four BEP 3 booleans; only this wire changes them, by what is sent and received. */
  get state(): Readonly<WireState> {
    return this.st;
  }

  /** When we last wrote anything to this peer (keep-alives are due after a silence). */
  get lastSentMs(): number {
    return this.sentAtMs;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  setMaxBitfieldBytes(bytes: number): void {
    this.parser.setMaxBitfieldBytes(bytes);
  }

  private onData(data: Uint8Array): void {
    if (this.closed) return;
    for (const event of this.parser.push(data)) {
      if (this.closed) return;
      if (event.kind === 'handshake') this.emit('handshake', event.handshake);
      else if (event.kind === 'error') return this.fail(event.error);
      else {
        this.track(event.message);
        this.emit('message', event.message);
      }
    }
  }

  /** Incoming state changes (BEP 3: choke/unchoke/interested/not interested). */
  private track(msg: WireMessage): void {
    if (msg.type === 'choke') this.st.peerChoking = true;
    else if (msg.type === 'unchoke') this.st.peerChoking = false;
    else if (msg.type === 'interested') this.st.peerInterested = true;
    else if (msg.type === 'not-interested') this.st.peerInterested = false;
  }

  /** Queues a small message; the queue goes out in one transport write at the end of this task. */
  private write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.sentAtMs = this.now();
    if (this.queued.length === 0) queueMicrotask(() => this.flush());
    this.queued.push(bytes);
  }

  /** Sends what is queued in one transport write. */
  private flush(): void {
    const parts = this.queued;
    this.queued = [];
    if (this.closed || parts.length === 0) return;
    this.transport.send(parts.length === 1 ? parts[0]! : concatBytes(parts));
  }

  handshake(infoHash: Uint8Array, peerId: Uint8Array): void {
    this.write(encodeHandshake({ infoHash, peerId, extended: true }));
  }

  send(msg: WireMessage): void {
    if (msg.type === 'choke') this.st.amChoking = true;
    else if (msg.type === 'unchoke') this.st.amChoking = false;
    else if (msg.type === 'interested') this.st.amInterested = true;
    else if (msg.type === 'not-interested') this.st.amInterested = false;
    this.write(encodeMessage(msg));
  }

  /**
   * Several piece messages in one transport write (with any small messages queued before them):
   * per-write overhead, not bytes, limits data channels. Written at once, so the caller sees them in
   * bufferedAmount for its back-pressure.
   */
  sendPieces(blocks: ReadonlyArray<{ index: number; begin: number; block: Uint8Array }>): void {
    if (blocks.length === 0 || this.closed) return;
    this.sentAtMs = this.now();
    // One buffer for the queued small messages and every piece message: one allocation and one
    // copy of each block per write, no header array per block.
    let length = 0;
    for (const q of this.queued) length += q.length;
    for (const b of blocks) length += PIECE_HEADER_BYTES + b.block.length;
    const out = new Uint8Array(length);
    let at = 0;
    for (const q of this.queued) {
      out.set(q, at);
      at += q.length;
    }
    this.queued = [];
    for (const b of blocks) {
      writePieceHeader(out, at, b.index, b.begin, b.block.length);
      out.set(b.block, at + PIECE_HEADER_BYTES);
      at += PIECE_HEADER_BYTES + b.block.length;
    }
    this.transport.send(out);
  }

  choke(): void {
    if (!this.st.amChoking) this.send({ type: 'choke' });
  }

  unchoke(): void {
    if (this.st.amChoking) this.send({ type: 'unchoke' });
  }

  setInterested(interested: boolean): void {
    if (interested !== this.st.amInterested) this.send({ type: interested ? 'interested' : 'not-interested' });
  }

  fail(error: TabswarmError): void {
    if (this.closed) return;
    this.emit('error', error);
    this.destroy(error.message);
  }

  destroy(reason = 'closed by us'): void {
    if (this.closed) return;
    this.flush(); // what we said last (a choke, a cancel) still goes out before the close
    this.transport.close();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', reason);
  }
}
