/**
 * The extension protocol (BEP 10) and serving metadata (BEP 9): our extended handshake (what we
 * speak, our request queue, our metadata size, the teaching demo's advert), each peer's handshake
 * as it told us, and answers to ut_metadata requests. Incoming metadata pieces are handed on to
 * the metadata exchange; nothing here decides who to fetch from.
 */
import { METADATA_PIECE_LENGTH_BYTES } from '../../shared/constants.ts';
import {
  LOCAL_EXTENSION_IDS,
  UT_METADATA,
  decodeExtendedHandshake,
  decodeMetadataMessage,
  encodeExtendedHandshake,
  encodeMetadataMessage,
  type ExtendedHandshake,
  type MetadataMessage,
} from '../../shared/wire/extension.ts';
import { EXTENDED_HANDSHAKE_ID } from '../../shared/wire/messages.ts';
import type { TabswarmError } from '../../shared/errors.ts';
import type { PeerWire } from './peer-wire.ts';

export interface ExtensionsPort {
  /** A handshaken peer's wire. */
  wire(key: string): PeerWire | undefined;
  /** Handshaken peers that offered BEP 10. */
  extendedPeers(): Iterable<string>;
  /** The info dictionary's bytes once we have the metadata. */
  infoBytes(): Uint8Array | null;
}

/** What an extended message turned out to be, for the torrent to route. */
export type ExtendedResult =
  | { kind: 'handshake'; handshake: ExtendedHandshake }
  | { kind: 'metadata'; message: Exclude<MetadataMessage, { msgType: 'request' }> }
  | { kind: 'handled' }
  | { kind: 'invalid'; error: TabswarmError };

export class Extensions {
  private readonly theirs = new Map<string, ExtendedHandshake>();
  private advertised: Record<string, number> | undefined;

  constructor(
    private readonly port: ExtensionsPort,
    private readonly local: { clientName?: string; maxPeerRequests: number },
  ) {}

  sendHandshake(key: string): void {
    const ext: ExtendedHandshake = { m: { ...LOCAL_EXTENSION_IDS }, reqq: this.local.maxPeerRequests };
    const info = this.port.infoBytes();
    if (info) ext.metadataSize = info.length;
    if (this.local.clientName) ext.v = this.local.clientName;
    if (this.advertised) ext.advert = this.advertised;
    this.port.wire(key)?.send({ type: 'extended', id: EXTENDED_HANDSHAKE_ID, payload: encodeExtendedHandshake(ext) });
  }

  /** Tells every neighbour (now, and each new one) these facts about us; BEP 10 lets the handshake be sent again to update it. */
  setAdvert(advert: Record<string, number>): void {
    this.advertised = { ...advert };
    for (const key of this.port.extendedPeers()) this.sendHandshake(key);
  }

  onMessage(key: string, id: number, payload: Uint8Array): ExtendedResult {
    if (id === EXTENDED_HANDSHAKE_ID) {
      const hs = decodeExtendedHandshake(payload);
      if (!hs.ok) return { kind: 'invalid', error: hs.error };
      this.theirs.set(key, hs.value);
      return { kind: 'handshake', handshake: hs.value };
    }
    if (id !== LOCAL_EXTENSION_IDS[UT_METADATA]) return { kind: 'handled' }; // an extension we did not offer
    const msg = decodeMetadataMessage(payload);
    if (!msg.ok) return { kind: 'invalid', error: msg.error };
    const m = msg.value;
    if (m.msgType !== 'request') return { kind: 'metadata', message: m };
    const info = this.port.infoBytes();
    const start = m.piece * METADATA_PIECE_LENGTH_BYTES;
    this.sendMetadata(key, info && start < info.length
      ? encodeMetadataMessage({ msgType: 'data', piece: m.piece, totalSize: info.length, data: info.subarray(start, start + METADATA_PIECE_LENGTH_BYTES) })
      : encodeMetadataMessage({ msgType: 'reject', piece: m.piece }));
    return { kind: 'handled' };
  }

  /** Asks a peer for one metadata piece, with the id it gave ut_metadata. */
  requestMetadata(key: string, piece: number): void {
    this.sendMetadata(key, encodeMetadataMessage({ msgType: 'request', piece }));
  }

  /** Most requests the peer accepts at once, if it said (BEP 10 `reqq`). */
  maxRequests(key: string): number | undefined {
    return this.theirs.get(key)?.reqq;
  }

  advert(key: string): Record<string, number> | null {
    return this.theirs.get(key)?.advert ?? null;
  }

  removePeer(key: string): void {
    this.theirs.delete(key);
  }

  private sendMetadata(key: string, payload: Uint8Array): void {
    const theirId = this.theirs.get(key)?.m[UT_METADATA];
    if (theirId) this.port.wire(key)?.send({ type: 'extended', id: theirId, payload });
  }
}
