/**
 * One peer's wire protocol over a transport: handshake, the four booleans of BEP 3 state, and
 * outgoing verbs that mirror incoming messages. It owns no policy (who to choke, what to request):
 * the torrent decides, this only speaks and listens. Garbage from the peer ends in one `error`.
 */
import { Emitter } from '../../shared/emitter.ts';
import type { TabswarmError } from '../../shared/errors.ts';
import { encodeHandshake, encodeMessage, encodePieceHeader } from '../../shared/wire/encode.ts';
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
  readonly state: WireState = { amChoking: true, amInterested: false, peerChoking: true, peerInterested: false };
  private readonly parser = new WireParser();
  private closed = false;
  lastSentMs = 0;
  lastReceivedMs = 0;

  constructor(
    readonly transport: Transport,
    private readonly now: () => number,
  ) {
    super();
    transport.onData = (data) => this.onData(data);
    transport.onClose = (reason) => this.finish(reason ?? 'connection closed');
    transport.onDrain = () => this.emit('drain');
  }

  get isClosed(): boolean {
    return this.closed;
  }

  setMaxBitfieldBytes(bytes: number): void {
    this.parser.setMaxBitfieldBytes(bytes);
  }

  private onData(data: Uint8Array): void {
    if (this.closed) return;
    this.lastReceivedMs = this.now();
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
    if (msg.type === 'choke') this.state.peerChoking = true;
    else if (msg.type === 'unchoke') this.state.peerChoking = false;
    else if (msg.type === 'interested') this.state.peerInterested = true;
    else if (msg.type === 'not-interested') this.state.peerInterested = false;
  }

  private write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.lastSentMs = this.now();
    this.transport.send(bytes);
  }

  handshake(infoHash: Uint8Array, peerId: Uint8Array): void {
    this.write(encodeHandshake({ infoHash, peerId, extended: true }));
  }

  send(msg: WireMessage): void {
    if (msg.type === 'choke') this.state.amChoking = true;
    else if (msg.type === 'unchoke') this.state.amChoking = false;
    else if (msg.type === 'interested') this.state.amInterested = true;
    else if (msg.type === 'not-interested') this.state.amInterested = false;
    this.write(encodeMessage(msg));
  }

  /** Several piece messages in one transport write: per-write overhead, not bytes, limits data channels. */
  sendPieces(blocks: ReadonlyArray<{ index: number; begin: number; block: Uint8Array }>): void {
    if (blocks.length === 0) return;
    this.write(concatBytes(blocks.flatMap((b) => [encodePieceHeader(b.index, b.begin, b.block.length), b.block])));
  }

  choke(): void {
    if (!this.state.amChoking) this.send({ type: 'choke' });
  }

  unchoke(): void {
    if (this.state.amChoking) this.send({ type: 'unchoke' });
  }

  setInterested(interested: boolean): void {
    if (interested !== this.state.amInterested) this.send({ type: interested ? 'interested' : 'not-interested' });
  }

  fail(error: TabswarmError): void {
    if (this.closed) return;
    this.emit('error', error);
    this.destroy(error.message);
  }

  destroy(reason = 'closed by us'): void {
    if (this.closed) return;
    this.transport.close();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', reason);
  }
}
