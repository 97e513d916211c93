/**
 * What a link named besides its info hash — web seeds (ws=) and where its .torrent is published
 * (xs=) — remembered per torrent in this browser, so reopening a file from "My files" (a bare info
 * hash) or sharing it again keeps the server that holds it. Kept apart from the torrents' records,
 * which the piece store rewrites after every verified piece.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval';

export interface LinkSources {
  webSeeds: string[];
  sources: string[];
  /**
   * A private share's key (x.tsk): kept in this browser like the pieces it opens, so "My files" can
   * open and share the file again. It never leaves the browser except in the links the user copies.
   */
  privateKey?: string;
  /** The link's expiry (x.tse), ms since 1970. */
  expiresAt?: number;
  /** A private share whose sharer lets peers without the key relay its ciphertext (x.tsr=1). */
  relays?: boolean;
}

let db: UseStore | undefined;
const links = () => (db ??= createStore('tabswarm-links', 'links'));

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

export async function rememberedSources(infoHash: string): Promise<LinkSources> {
  return (await get<LinkSources>(infoHash, links())) ?? { webSeeds: [], sources: [] };
}

/**
 * Adds these to what is remembered for the torrent. Returns the whole at once, and `saved`, which
 * settles once it is stored: opening a link need not wait for the disk, which a busy machine can
 * keep waiting (every private link's first open writes its key).
 */
export async function mergeSources(infoHash: string, add: LinkSources): Promise<{ sources: LinkSources; saved: Promise<void> }> {
  const known = await rememberedSources(infoHash);
  const all: LinkSources = { webSeeds: union(known.webSeeds, add.webSeeds), sources: union(known.sources, add.sources) };
  const privateKey = known.privateKey ?? add.privateKey;
  if (privateKey !== undefined) all.privateKey = privateKey;
  const expiresAt = known.expiresAt ?? add.expiresAt;
  if (expiresAt !== undefined) all.expiresAt = expiresAt;
  // Only the sharer grants relaying, and a link cannot take it back once it is out.
  if (known.relays || add.relays) all.relays = true;
  const changed = all.webSeeds.length !== known.webSeeds.length || all.sources.length !== known.sources.length || all.privateKey !== known.privateKey || all.expiresAt !== known.expiresAt || all.relays !== known.relays;
  return { sources: all, saved: changed ? set(infoHash, all, links()) : Promise.resolve() };
}

/** Adds these to what is remembered for the torrent and stores it; returns the whole. */
export async function rememberSources(infoHash: string, add: LinkSources): Promise<LinkSources> {
  const { sources, saved } = await mergeSources(infoHash, add);
  await saved;
  return sources;
}

export async function forgetSources(infoHash: string): Promise<void> {
  await del(infoHash, links());
}
