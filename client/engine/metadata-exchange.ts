/**
 * The magnet phase (BEP 9): fetching the info dictionary from peers that advertise it, until its
 * SHA-1 is the info hash.
 *
 * One source at a time is asked for every metadata piece (a torrent's metadata is a few dozen
 * 16 KiB pieces at most, so there is little to gain from splitting it). A source whose pieces do not
 * add up — a wrong `metadata_size`, pieces of the wrong length, bytes that do not hash to the info
 * hash — is dropped as a liar; one that rejects or stays silent past the timeout is passed over.
 * The next source starts afresh with its own advertised size, so no single peer can stall the
 * download while an honest one is connected.
 */
import { MAX_METADATA_BYTES } from '../../shared/constants.ts';
import { Emitter } from '../../shared/emitter.ts';
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import type { MetadataMessage } from '../../shared/wire/extension.ts';
import type { Clock } from './clock.ts';
import { MetadataAssembler } from './metadata.ts';

/** A metadata source silent this long (no piece since the last request) is passed over. */
export const METADATA_TIMEOUT_MS = 10_000;

export interface MetadataPort {
  /** Sends a ut_metadata request for piece `piece` to the peer. */
  request(key: string, piece: number): void;
  /** The peer broke the protocol or lied: disconnect it with this reason. */
  fail(key: string, reason: string): void;
  warn(error: TabswarmError): void;
}

type Info = Omit<Metainfo, 'announce' | 'urlList'>;

interface Attempt {
  key: string;
  assembler: MetadataAssembler;
  lastHeardMs: number;
}

export class MetadataExchange extends Emitter<{ metadata: [Info] }> {
  /** Peers that advertised metadata: key → advertised size. */
  private readonly sources = new Map<string, number>();
  /** Sources passed over (rejected or timed out); given another chance once everyone has been tried. */
  private readonly passed = new Set<string>();
  private attempt: Attempt | null = null;
  private finished = false;

  constructor(
    private readonly infoHash: Uint8Array,
    private readonly clock: Clock,
    private readonly port: MetadataPort,
    private readonly timeoutMs = METADATA_TIMEOUT_MS,
  ) {
    super();
  }

  /** A peer's extended handshake said it has the metadata (size > 0 and a ut_metadata id). */
  addSource(key: string, size: number): void {
    if (this.finished) return;
    if (!Number.isInteger(size) || size <= 0 || size > MAX_METADATA_BYTES) return;
    this.sources.set(key, size);
    this.next();
  }

  removePeer(key: string): void {
    this.sources.delete(key);
    this.passed.delete(key);
    if (this.attempt?.key === key) {
      this.attempt = null;
      this.next();
    }
  }

  /** The source being asked now, if any (for tests and stats). */
  get currentSource(): string | null {
    return this.attempt?.key ?? null;
  }

  onMessage(key: string, msg: Exclude<MetadataMessage, { msgType: 'request' }>): void {
    const a = this.attempt;
    if (this.finished || !a || a.key !== key) return; // an answer to no request of ours
    a.lastHeardMs = this.clock.now();
    if (msg.msgType === 'reject') return this.passOver(key);
    if (msg.totalSize !== a.assembler.size || !a.assembler.add(msg.piece, msg.data)) return this.liar(key, 'a ut_metadata piece of the wrong size');
    if (a.assembler.missing().length > 0) return;
    let info: Info | null;
    try {
      info = a.assembler.result(this.infoHash);
    } catch (err) {
      info = null;
      this.port.warn(err instanceof TabswarmError ? err : new TabswarmError('TORRENT_INVALID', String(err)));
    }
    if (!info) return this.liar(key, 'metadata that does not match the info hash');
    this.finished = true;
    this.attempt = null;
    this.emit('metadata', info);
  }

  /** The metadata came another way (a .torrent fetched from the link's exact source): ask no one for it any more. */
  finish(): void {
    this.finished = true;
    this.attempt = null;
  }

  /** Housekeeping: a silent source is passed over. */
  tick(): void {
    const a = this.attempt;
    if (this.finished) return;
    if (a && this.clock.now() - a.lastHeardMs >= this.timeoutMs) return this.passOver(a.key);
    if (!a) this.next();
  }

  private liar(key: string, reason: string): void {
    this.sources.delete(key);
    this.attempt = null;
    this.port.fail(key, reason);
    this.next();
  }

  private passOver(key: string): void {
    this.passed.add(key);
    this.attempt = null;
    this.next();
  }

  /** Starts on the next source not yet passed over; once all have been, they get another turn at the next tick. */
  private next(): void {
    if (this.finished || this.attempt) return;
    let key: string | null = null;
    for (const k of this.sources.keys()) {
      if (!this.passed.has(k)) {
        key = k;
        break;
      }
    }
    if (key === null) {
      this.passed.clear();
      return;
    }
    const assembler = new MetadataAssembler(this.sources.get(key)!);
    this.attempt = { key, assembler, lastHeardMs: this.clock.now() };
    for (const piece of assembler.missing()) this.port.request(key, piece);
  }
}
