/**
 * The engine in a browser tab: WebRTC through simple-peer's bundled build, the tracker over the
 * page's WebSocket to this origin, ICE servers from GET /config, pieces in IndexedDB, hashing in a
 * worker, timers in a worker. One `BrowserClient` per tab holds all its swarms within one
 * connection budget. The UI (and the tests) drive it; it touches no DOM elements.
 */
import { trackerForOrigin } from '../../shared/endpoints.ts';
import { TabswarmError } from '../../shared/errors.ts';
import { toHex } from '../../shared/bytes.ts';
import { Emitter } from '../../shared/emitter.ts';
import { buildMagnet, parseMagnet, type MagnetInput } from '../../shared/magnet.ts';
import { parseInfo, parseTorrent } from '../../shared/metainfo/parse.ts';
import { pieceSize, type Metainfo } from '../../shared/metainfo/types.ts';
import { encodeTorrentFile } from '../../shared/metainfo/torrent-file.ts';
import type { StoreLimits, StoreStatus } from '../../shared/store-api.ts';
import { uploadToStore } from '../engine/store-upload.ts';
import { defaultSha1 } from '../../shared/sha1.ts';
import type { EngineOptions } from '../engine/options.ts';
import { SwarmSession } from '../engine/session.ts';
import { IceServerSource, NO_ICE_CONFIG, parseIceConfig, type IceConfig } from '../engine/ice-config.ts';
import type { TorrentSource, TorrentStats } from '../engine/torrent.ts';
import { workerClock } from './clock.ts';
import { browserConnector, browserOpenSocket, browserPeerId } from './peer-env.ts';
import type { CreateReply, CreateRequest } from './hash-worker.ts';
import { IdbStore, deleteStored, getStored, listStored, readStoredPiece, type StoredTorrent } from './idb-store.ts';
import { layoutFileBlob, writeToFolder, type LayoutPieceReader, type StoredFile } from './save.ts';
import { decodeLinkKey, deriveKeys, encodeLinkKey, subtleCrypto, type PrivateKeys } from '../../shared/private/key.ts';
import { PrivateShare, type CipherSource, type ContentLayout } from '../../shared/private/open.ts';
import { sealedContentsOf } from '../../shared/private/contents.ts';
import { decryptingTorrent, torrentCipherSource } from '../engine/private-source.ts';
import { sealFiles, type SealedFiles } from './seal-files.ts';
import type { StreamView } from './stream-server.ts';
import { forgetSources, mergeSources, rememberSources, type LinkSources } from './link-sources.ts';
import { contentKind } from '../ui/content-kind.ts';

/** Peer connections per tab across all swarms: browsers cap RTCPeerConnections (Chromium near 500), and each costs CPU. */
export const DEFAULT_MAX_CONNECTIONS_PER_TAB = 40;
export const DEFAULT_MAX_PEERS_PER_SWARM = 30;

export interface BrowserClientOptions {
  /** Default: this origin's tracker (ws[s]://host/announce). */
  trackers?: string[];
  /** Where to ask for ICE servers (default: this origin's /config). */
  configUrl?: string;
  iceServers?: RTCIceServer[];
  /** What this server's store allows (null: it keeps no files); default: from /config. */
  store?: StoreLimits | null;
  maxPeersPerSwarm?: number;
  maxConnectionsPerTab?: number;
  /** Unanswered offers are closed after this long (default 50 s). */
  offerTimeoutMs?: number;
  engine?: Partial<EngineOptions>;
}

/** `error`: one torrent stopped (its pieces so far stay stored; other torrents carry on). */
type ClientEvents = { warning: [TabswarmError]; error: [string, TabswarmError] };

export function originTracker(): string {
  return trackerForOrigin(location.origin);
}

/** What the deployment configured (GET /config): ICE servers (none on loopback or when unreachable) and its store, if any. */
export async function fetchServerConfig(configUrl = '/config'): Promise<{ ice: IceConfig; iceServers: RTCIceServer[]; store: StoreLimits | null }> {
  try {
    const res = await fetch(configUrl);
    if (!res.ok) return { ice: NO_ICE_CONFIG, iceServers: [], store: null };
    const body = (await res.json()) as { store?: StoreLimits | null };
    const ice = parseIceConfig(body);
    return { ice, iceServers: ice.iceServers, store: body.store && typeof body.store.maxFileBytes === 'number' ? body.store : null };
  } catch {
    return { ice: NO_ICE_CONFIG, iceServers: [], store: null };
  }
}

export async function fetchIceServers(configUrl = '/config'): Promise<RTCIceServer[]> {
  return (await fetchServerConfig(configUrl)).iceServers;
}

/** What a link (or the sharer's choices) adds to a swarm session. */
interface SessionLink {
  engine?: Partial<EngineOptions>;
  webSeeds?: string[];
  metadataSources?: string[];
  /** A private share's signalling key: offers and answers signed, unsigned ones refused. */
  signalKey?: CryptoKey;
  expiresAt?: number;
  /** A private share's sharer lets keyless peers relay its ciphertext: unsigned offers accepted (forged ones still refused). */
  allowRelays?: boolean;
}

export class BrowserClient extends Emitter<ClientEvents> {
  readonly sessions = new Map<string, SwarmSession>();
  /** The error that stopped a torrent, by info hash (cleared when it is added again). */
  readonly errors = new Map<string, TabswarmError>();
  private readonly peerId = browserPeerId();
  /** This tab's peer id in hex, as other peers' stats show it (public on the wire anyway). */
  get peerIdHex(): string {
    return toHex(this.peerId);
  }
  /** The engine's clock: worker timers, so hidden tabs keep the choke and announce rhythm. */
  readonly clock = workerClock();
  private readonly trackers: string[];
  private readonly maxConnections: number;
  /** The app's sharing controls, applied to every session, running and future (see applySharing). */
  private sharing = { uploadLimit: 0, downloadLimit: 0, share: true };
  /** Web seeds and .torrent sources of each torrent's links (remembered in IndexedDB too): its links carry them. */
  private readonly linkSources = new Map<string, LinkSources>();
  /** Private shares' keys, by info hash, and each share once opened (its contents list read). */
  private readonly privates = new Map<string, { key: string; keys: PrivateKeys; share?: Promise<PrivateShare> }>();

  /** The ICE servers, renewed from /config before their TURN credentials expire. */
  private readonly ice: IceServerSource;

  /** `ice`: what /config said, with its expiry (given iceServers never expire). */
  constructor(private readonly opts: BrowserClientOptions = {}, ice?: IceConfig) {
    super();
    this.ice = opts.iceServers || !ice
      ? new IceServerSource({ iceServers: opts.iceServers ?? [], expiresAtMs: null }, null)
      : new IceServerSource(ice, async () => (await fetchServerConfig(opts.configUrl)).ice);
    this.trackers = opts.trackers ?? [originTracker()];
    this.maxConnections = opts.maxConnectionsPerTab ?? DEFAULT_MAX_CONNECTIONS_PER_TAB;
  }

  static async create(opts: BrowserClientOptions = {}): Promise<BrowserClient> {
    if (typeof RTCPeerConnection === 'undefined') {
      throw new TabswarmError('TRACKER_UNREACHABLE', 'This browser has no WebRTC, which Tabswarm needs to reach other peers. Try a current Chrome, Firefox or Safari.');
    }
    const config = opts.iceServers && opts.store !== undefined ? null : await fetchServerConfig(opts.configUrl);
    return new BrowserClient({ ...opts, iceServers: opts.iceServers ?? config?.iceServers ?? [], store: opts.store !== undefined ? opts.store : (config?.store ?? null) }, config?.ice);
  }

  /** What this server's store allows, or null when it keeps no files. */
  get storeLimits(): StoreLimits | null {
    return this.opts.store ?? null;
  }

  /**
   * Uploads a torrent this tab holds to the server's store (resumable, every piece verified there),
   * so its link works after every tab has closed: the link then names the server as a web seed and
   * its .torrent as exact source.
   */
  async keepOnServer(infoHash: string, onProgress?: (stored: number, total: number) => void): Promise<StoreStatus> {
    const meta = await this.meta(infoHash);
    const pieces = new IdbStore(meta);
    const status = await uploadToStore({
      serverUrl: location.origin,
      torrentBytes: encodeTorrentFile(meta.infoBytes, this.trackers),
      readPiece: (i) => pieces.read(i, 0, pieceSize(meta, i)),
      onProgress,
      // A link that expires takes the server's copy with it.
      expiresAt: this.linkSources.get(infoHash)?.expiresAt,
    });
    this.linkSources.set(infoHash, await rememberSources(infoHash, { webSeeds: [status.webSeed], sources: [status.torrentUrl] }));
    return status;
  }

  /**
   * Limits (bytes/s, 0 = none) and whether to upload at all, for every torrent of this tab: applied
   * now to those running and to every one started later. Downloading goes on when sharing is off.
   */
  applySharing(sharing: { uploadLimit: number; downloadLimit: number; share: boolean }): void {
    this.sharing = { ...sharing };
    const o = this.sharingOptions();
    for (const s of this.sessions.values()) {
      s.torrent.setLimits({ uploadLimit: o.uploadLimit, downloadLimit: o.downloadLimit });
      s.torrent.setSharing(o.reshare!);
    }
  }

  private sharingOptions(): Partial<EngineOptions> {
    const { uploadLimit, downloadLimit, share } = this.sharing;
    // Options the embedder set (the demo's client-server mode) are not widened by the app's controls.
    return { uploadLimit: uploadLimit || (this.opts.engine?.uploadLimit ?? 0), downloadLimit: downloadLimit || (this.opts.engine?.downloadLimit ?? 0), reshare: share && (this.opts.engine?.reshare ?? true) };
  }

  /** Peer connections across every swarm of this tab, open or still being set up. */
  connectionCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.connections();
    return n;
  }

  private startSession(source: TorrentSource, trackers: string[], link: SessionLink = {}): SwarmSession {
    const { engine = {}, webSeeds = [], metadataSources = [], signalKey, expiresAt, allowRelays } = link;
    const session = new SwarmSession(
      source,
      { peerId: this.peerId, sha1: defaultSha1(), clock: this.clock, clientName: 'Tabswarm', openStore: async (m) => new IdbStore(m) },
      {
        trackers,
        connector: browserConnector(() => this.ice.current()),
        openSocket: browserOpenSocket,
        maxPeers: this.opts.maxPeersPerSwarm ?? DEFAULT_MAX_PEERS_PER_SWARM,
        freeConnections: () => this.maxConnections - this.connectionCount(),
        offerTimeoutMs: this.opts.offerTimeoutMs,
        engine: { ...engine, ...this.opts.engine, ...this.sharingOptions() },
        webSeeds,
        metadataSources,
        signalKey,
        expiresAt,
        allowRelays,
      },
    );
    session.on('warning', (w) => this.emit('warning', w));
    session.on('error', (e) => {
      // The torrent has stopped itself; leave the swarm, keep what is stored, so reopening resumes.
      this.errors.set(session.torrent.infoHash, e);
      void session.stop();
      this.emit('error', session.torrent.infoHash, e);
    });
    this.sessions.set(session.torrent.infoHash, session);
    return session;
  }

  /**
   * Hashes files in a worker (progress reported), stores their pieces, and starts seeding —
   * initially (super-seed.ts) unless `initialSeeding: false`. `private`: the files and their names
   * are sealed first (end-to-end encrypted, shared/private/); the share's links carry the key.
   */
  async seed(files: Array<File | { file: File; path: string[] }>, onProgress?: (phase: 'sealing' | 'hashing' | 'storing', done: number, total: number) => void, opts: { initialSeeding?: boolean; private?: boolean; expiresAt?: number; allowRelays?: boolean } = {}): Promise<SwarmSession> {
    const entries = files.map((f) => (f instanceof File ? { file: f, path: f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1) : [f.name] } : f));
    if (entries.length === 0) throw new TabswarmError('INPUT_EMPTY', 'Choose at least one file to share.');
    // A picked folder names the torrent; several loose files go in a folder named for their count.
    const folder = entries[0]!.file.webkitRelativePath.split('/')[0] || null;
    const multiFile = entries.length > 1 || folder !== null;
    const name = multiFile ? (folder ?? `${entries.length} files`) : entries[0]!.file.name;
    let sealed: SealedFiles | null = null;
    if (opts.private) {
      subtleCrypto(); // no WebCrypto (a plain-http page): say so before any work
      sealed = await sealFiles(entries, name, multiFile, (done, total) => onProgress?.('sealing', done, total));
    }
    const request: CreateRequest = sealed ? { files: [{ file: sealed.file, path: [sealed.file.name] }], name: sealed.file.name, multiFile: false, announce: this.trackers, extraInfo: sealed.extraInfo } : { files: entries, name, multiFile, announce: this.trackers };
    const torrentBytes = await new Promise<Uint8Array>((resolve, reject) => {
      const worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (e: MessageEvent<CreateReply>) => {
        const m = e.data;
        if (m.type === 'progress') onProgress?.(m.phase, m.done, m.total);
        else {
          worker.terminate();
          if (m.type === 'done') resolve(m.torrentBytes);
          else reject(new TabswarmError(m.code as TabswarmError['code'], m.message));
        }
      };
      worker.onerror = (e) => {
        worker.terminate();
        reject(new TabswarmError('INPUT_UNREADABLE', `Hashing failed: ${e.message}`));
      };
      worker.postMessage(request);
    });
    const meta = parseTorrent(torrentBytes);
    if (sealed) {
      const key = encodeLinkKey(sealed.linkKey);
      this.privates.set(meta.infoHash, { key, keys: sealed.keys });
      this.linkSources.set(meta.infoHash, await rememberSources(meta.infoHash, { webSeeds: [], sources: [], privateKey: key, ...(opts.expiresAt === undefined ? {} : { expiresAt: opts.expiresAt }), ...(opts.allowRelays ? { relays: true } : {}) }));
    }
    const existing = this.sessions.get(meta.infoHash);
    if (existing) return existing;
    // We are the swarm's first seeder, the case initial seeding is for (unless the options say
    // otherwise) — but not for audio or video: initial seeding reveals pieces in its own order, and
    // a viewer streaming the file needs the ones under its playhead now.
    const streamable = (sealed ? entries.map((e) => e.path) : meta.files.map((f) => f.path)).some((path) => ['audio', 'video'].includes(contentKind(path[path.length - 1]!).kind));
    const session = this.startSession({ metainfo: meta }, this.trackers, { engine: { superSeed: opts.initialSeeding ?? !streamable }, ...(sealed ? { signalKey: sealed.keys.signal, expiresAt: opts.expiresAt, allowRelays: opts.allowRelays === true } : {}) });
    await session.start();
    return session;
  }

  /**
   * Joins the swarm of a magnet link or bare info hash. A torrent already stored in this browser
   * resumes: its metadata and verified pieces come from IndexedDB, nothing is fetched twice.
   */
  async add(link: string): Promise<SwarmSession> {
    const parsed = /^[0-9a-fA-F]{40}$/.test(link.trim()) ? { infoHash: link.trim().toLowerCase(), trackers: [] as string[], webSeeds: [] as string[], sources: [] as string[], name: undefined } : parseMagnet(link);
    const running = this.sessions.get(parsed.infoHash);
    if (running && !this.errors.has(parsed.infoHash)) return running;
    this.errors.delete(parsed.infoHash);
    const trackers = [...new Set([...this.trackers, ...parsed.trackers.filter((t) => /^wss?:/.test(t))])];
    const stored = await getStored(parsed.infoHash);
    const source: TorrentSource = stored ? { metainfo: { ...parseInfo(stored.infoBytes), announce: stored.announce, urlList: [] } } : { infoHash: parsed.infoHash, ...(parsed.name ? { name: parsed.name } : {}) };
    // A magnet's ws= web seeds (the origin must allow cross-origin requests: CORS), and its xs=
    // .torrent: the metadata when no peer is online (a file kept on a server after its sharer left).
    // Those it named before (reopened from "My files" as a bare info hash), and any new ones, kept.
    const { sources, saved } = await mergeSources(parsed.infoHash, { webSeeds: parsed.webSeeds, sources: parsed.sources, ...('privateKey' in parsed && parsed.privateKey ? { privateKey: parsed.privateKey } : {}), ...('expiresAt' in parsed && parsed.expiresAt !== undefined ? { expiresAt: parsed.expiresAt } : {}), ...('relays' in parsed && parsed.relays ? { relays: true } : {}) });
    this.linkSources.set(parsed.infoHash, sources);
    // Stored while the swarm starts, not before: the link itself carries all of it meanwhile.
    saved.catch((err: unknown) => this.emit('warning', new TabswarmError('STORAGE_WRITE_FAILED', `This browser could not remember the link's sources${sources.privateKey === undefined ? '' : ' and key'} (${err instanceof Error ? err.message : String(err)}); the download goes on, but reopening it from "My files" may need the link again.`)));
    // A private share (its key from this link, or remembered from an earlier one): offers signed, content opened with it.
    if (sources.privateKey !== undefined && !this.privates.has(parsed.infoHash)) {
      this.privates.set(parsed.infoHash, { key: sources.privateKey, keys: await deriveKeys(decodeLinkKey(sources.privateKey)) });
    }
    const session = this.startSession(source, trackers, { webSeeds: sources.webSeeds, metadataSources: sources.sources, signalKey: this.privates.get(parsed.infoHash)?.keys.signal, expiresAt: sources.expiresAt, allowRelays: sources.relays === true });
    try {
      await session.start();
    } catch (err) {
      // Not started (an expired link): nothing of it runs; opened again, it is tried again.
      this.sessions.delete(parsed.infoHash);
      await session.stop().catch(() => {});
      throw err;
    }
    return session;
  }

  stats(infoHash: string): TorrentStats | null {
    return this.sessions.get(infoHash)?.torrent.stats() ?? null;
  }

  magnet(infoHash: string): string {
    const meta = this.sessions.get(infoHash)?.torrent.meta;
    const key = this.privates.get(infoHash)?.key;
    return buildMagnet({ ...this.linkFields(infoHash), name: meta?.name, ...(key === undefined ? {} : { privateKey: key }) });
  }

  /** What every link to this torrent carries: trackers, web seeds, .torrent sources, expiry, relays. */
  private linkFields(infoHash: string): MagnetInput {
    const sources = this.linkSources.get(infoHash);
    return { infoHash, trackers: this.trackers, webSeeds: sources?.webSeeds ?? [], sources: sources?.sources ?? [], ...(sources?.expiresAt === undefined ? {} : { expiresAt: sources.expiresAt }), ...(sources?.relays ? { relays: true } : {}) };
  }

  /**
   * A private share's relay link: the share link without its key, for people who should carry the
   * ciphertext for others but not open it. Empty unless the sharer allowed relays.
   */
  relayMagnet(infoHash: string): string {
    if (!this.linkSources.get(infoHash)?.relays || !this.privates.has(infoHash)) return '';
    return buildMagnet(this.linkFields(infoHash));
  }

  /** Whether this torrent is the ciphertext of a private share whose key this tab lacks (opened from a relay link). */
  isRelayOnly(infoHash: string): boolean {
    return this.linkSources.get(infoHash)?.relays === true && !this.privates.has(infoHash);
  }

  /** When this torrent's link expires (ms since 1970), if it does. */
  linkExpiry(infoHash: string): number | undefined {
    return this.linkSources.get(infoHash)?.expiresAt;
  }

  /** Whether this torrent is a private share (its key known here). */
  isPrivate(infoHash: string): boolean {
    return this.privates.has(infoHash);
  }

  /**
   * A private share, opened: its contents list read and checked from the torrent's info dictionary
   * (shares made before it was kept there: as soon as the first piece is here, asked for first).
   * Rejects with PRIVATE_KEY_WRONG when the link's key does not open it.
   */
  privateShare(infoHash: string): Promise<PrivateShare> {
    const entry = this.privates.get(infoHash);
    if (!entry) return Promise.reject(new TabswarmError('PRIVATE_KEY_MISSING', 'That torrent is not a private share open in this tab.'));
    entry.share ??= (async () => {
      const meta = await this.meta(infoHash);
      const torrent = this.sessions.get(infoHash)?.torrent;
      const source = torrent ? torrentCipherSource(torrent, meta) : storedCipherSource(meta);
      return PrivateShare.open(source, entry.keys.content, sealedContentsOf(meta.infoBytes));
    })();
    entry.share.catch(() => {
      if (this.privates.get(infoHash) === entry) delete entry.share; // asked again later, it tries again
    });
    return entry.share;
  }

  /** The files as the user sees them, laid out in the torrent's pieces: the torrent's own, or a private share's decrypted ones. */
  async layout(infoHash: string): Promise<{ layout: ContentLayout; read: LayoutPieceReader }> {
    const meta = await this.meta(infoHash);
    if (!this.privates.has(infoHash)) return { layout: meta, read: (i) => readStoredPiece(infoHash, i) };
    const share = await this.privateShare(infoHash);
    return { layout: share.layout(), read: (i) => share.readRecord(i) };
  }

  /** What a stream of this torrent plays from (stream-server.ts); null when it is not open here. */
  async streamView(infoHash: string): Promise<StreamView | null> {
    const torrent = this.sessions.get(infoHash)?.torrent;
    const meta = torrent?.meta;
    if (!torrent || !meta) return null;
    if (!this.privates.has(infoHash)) return { infoHash, layout: meta, torrent };
    const share = await this.privateShare(infoHash);
    return { infoHash, layout: share.layout(), torrent: decryptingTorrent(torrent, share) };
  }

  /** A finished file as a Blob assembled from stored pieces (no single huge copy in the heap). */
  async file(infoHash: string, fileIndex = 0): Promise<StoredFile> {
    const { layout, read } = await this.layout(infoHash);
    return layoutFileBlob(layout, fileIndex, read);
  }

  /** Every file of the torrent, as Blobs with their paths. */
  async files(infoHash: string): Promise<StoredFile[]> {
    const { layout, read } = await this.layout(infoHash);
    return Promise.all(layout.files.map((_, i) => layoutFileBlob(layout, i, read)));
  }

  /** Writes every file of a finished torrent into a folder (a picked one, or any FileSystemDirectoryHandle), keeping its layout. */
  async saveToFolder(infoHash: string, folder: FileSystemDirectoryHandle, onProgress?: (filesDone: number, total: number) => void): Promise<void> {
    await writeToFolder(folder, await this.files(infoHash), onProgress);
  }

  private async meta(infoHash: string) {
    const meta = this.sessions.get(infoHash)?.torrent.meta ?? (await storedMeta(infoHash));
    if (!meta) throw new TabswarmError('STORAGE_READ_FAILED', 'That torrent is not stored in this browser.');
    return meta;
  }

  async list(): Promise<StoredTorrent[]> {
    return listStored();
  }

  async remove(infoHash: string): Promise<void> {
    await this.sessions.get(infoHash)?.stop();
    this.sessions.delete(infoHash);
    this.linkSources.delete(infoHash);
    this.privates.delete(infoHash);
    await Promise.all([deleteStored(infoHash), forgetSources(infoHash)]);
  }

  async stop(infoHash: string): Promise<void> {
    await this.sessions.get(infoHash)?.stop();
    this.sessions.delete(infoHash);
  }
}

/** A stored private share's ciphertext, read from IndexedDB (no session running). */
function storedCipherSource(meta: Metainfo): CipherSource {
  return {
    length: meta.length,
    read: async (offset, length) => {
      const index = Math.floor(offset / meta.pieceLength);
      const piece = await readStoredPiece(meta.infoHash, index);
      const from = offset - index * meta.pieceLength;
      return piece.subarray(from, from + length);
    },
  };
}

async function storedMeta(infoHash: string): Promise<Metainfo | null> {
  const stored = await getStored(infoHash);
  return stored ? { ...parseInfo(stored.infoBytes), announce: stored.announce, urlList: [] } : null;
}
