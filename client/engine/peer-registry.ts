/**
 * The torrent's connections: each one's wire and what its handshakes said, the peers banned from
 * this swarm, and who may stay after a handshake (not ourselves, not banned, not twice).
 */
import { bytesEqual, toHex } from '../../shared/bytes.ts';
import type { Handshake } from '../../shared/wire/messages.ts';
import type { DownloadPeer } from './download.ts';
import type { PeerWire } from './peer-wire.ts';

/** What the torrent knows of one connection. */
export interface PeerLink extends DownloadPeer {
  connectedAtMs: number;
  /** Hex peer id once the handshake arrived. */
  id: string | null;
  /** The peer's handshake offered BEP 10 extensions. */
  extended: boolean;
}

export class PeerRegistry {
  private readonly links = new Map<string, PeerLink>();
  private readonly bannedIds = new Set<string>();
  private nextKey = 1;

  constructor(private readonly ourId: Uint8Array) {}

  /** A new connection; `maxRequests` says what its extended handshake allows, once known. */
  add(wire: PeerWire, nowMs: number, maxRequests: (key: string) => number | undefined): PeerLink {
    const key = `peer-${this.nextKey++}`;
    const link: PeerLink = { key, wire, id: null, extended: false, connectedAtMs: nowMs, origin: wire.transport.origin === true, maxRequests: () => maxRequests(key) };
    this.links.set(link.key, link);
    return link;
  }

  /** Why this handshake's peer may not stay (null: it may; its id is now recorded). */
  admit(link: PeerLink, h: Handshake): string | null {
    const id = toHex(h.peerId);
    if (bytesEqual(h.peerId, this.ourId)) return 'connected to ourselves';
    if (this.bannedIds.has(id)) return 'banned from this swarm for sending bad data';
    // `link` has no id yet, so only another connection can match.
    if (this.hasId(id)) return 'already connected to this peer';
    link.id = id;
    link.extended = h.extended;
    return null;
  }

  /** Whether a connection whose handshake we accepted has this (hex) peer id. */
  hasId(id: string): boolean {
    for (const l of this.links.values()) if (l.id === id) return true;
    return false;
  }

  ban(id: string): void {
    this.bannedIds.add(id);
  }

  get bannedCount(): number {
    return this.bannedIds.size;
  }

  get(key: string): PeerLink | undefined {
    return this.links.get(key);
  }

  /** A peer whose handshake we accepted. */
  handshaken(key: string): PeerLink | undefined {
    const l = this.links.get(key);
    return l && l.id !== null ? l : undefined;
  }

  remove(key: string): boolean {
    return this.links.delete(key);
  }

  get size(): number {
    return this.links.size;
  }

  all(): IterableIterator<PeerLink> {
    return this.links.values();
  }

  *allHandshaken(): Generator<PeerLink> {
    for (const l of this.links.values()) if (l.id !== null) yield l;
  }
}
