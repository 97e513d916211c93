/**
 * The engine in a browser tab: WebRTC through simple-peer's bundled build, the tracker over the
 * page's WebSocket to this origin, ICE servers from GET /config, pieces in IndexedDB, hashing in a
 * worker, timers in a worker. One `BrowserClient` per tab holds all its swarms within one
 * connection budget. The UI (and the tests) drive it; it touches no DOM elements.
 */
import { trackerForOrigin } from './endpoints.ts';
import { TabswarmError } from '../../shared/errors.ts';
import { Emitter } from '../../shared/emitter.ts';
import { buildMagnet, parseMagnet } from '../../shared/magnet.ts';
import { parseInfo, parseTorrent } from '../../shared/metainfo/parse.ts';
import { pieceSize, type Metainfo } from '../../shared/metainfo/types.ts';
import { encodeTorrentFile } from '../../shared/metainfo/torrent-file.ts';
import type { StoreLimits, StoreStatus } from '../../shared/store-api.ts';
import { uploadToStore } from '../engine/store-upload.ts';
import { defaultSha1 } from '../../shared/sha1.ts';
import type { EngineOptions } from '../engine/options.ts';
import { SwarmSession } from '../engine/session.ts';
import type { TorrentSource, TorrentStats } from '../engine/torrent.ts';
import { workerClock } from './clock.ts';
import { browserConnector, browserOpenSocket, browserPeerId } from './peer-env.ts';
import type { CreateReply, CreateRequest } from './hash-worker.ts';
import { IdbStore, deleteStored, getStored, listStored, type StoredTorrent } from './idb-store.ts';
import { fileBlob, writeToFolder, type StoredFile } from './save.ts';
import { forgetSources, rememberSources, type LinkSources } from './link-sources.ts';
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
export async function fetchServerConfig(configUrl = '/config'): Promise<{ iceServers: RTCIceServer[]; store: StoreLimits | null }> {
  try {
    const res = await fetch(configUrl);
    if (!res.ok) return { iceServers: [], store: null };
    const body = (await res.json()) as { iceServers?: RTCIceServer[]; store?: StoreLimits | null };
    return { iceServers: Array.isArray(body.iceServers) ? body.iceServers : [], store: body.store && typeof body.store.maxFileBytes === 'number' ? body.store : null };
  } catch {
    return { iceServers: [], store: null };
  }
}

export async function fetchIceServers(configUrl = '/config'): Promise<RTCIceServer[]> {
  return (await fetchServerConfig(configUrl)).iceServers;
}

export class BrowserClient extends Emitter<ClientEvents> {
  readonly sessions = new Map<string, SwarmSession>();
  /** The error that stopped a torrent, by info hash (cleared when it is added again). */
  readonly errors = new Map<string, TabswarmError>();
  private readonly peerId = browserPeerId();
  /** The engine's clock: worker timers, so hidden tabs keep the choke and announce rhythm. */
  readonly clock = workerClock();
  private readonly trackers: string[];
  private readonly maxConnections: number;
  /** The app's sharing controls, applied to every session, running and future (see applySharing). */
  private sharing = { uploadLimit: 0, downloadLimit: 0, share: true };
  /** Web seeds and .torrent sources of each torrent's links (remembered in IndexedDB too): its links carry them. */
  private readonly linkSources = new Map<string, LinkSources>();

  constructor(private readonly opts: BrowserClientOptions = {}) {
    super();
    this.trackers = opts.trackers ?? [originTracker()];
    this.maxConnections = opts.maxConnectionsPerTab ?? DEFAULT_MAX_CONNECTIONS_PER_TAB;
  }

  static async create(opts: BrowserClientOptions = {}): Promise<BrowserClient> {
    if (typeof RTCPeerConnection === 'undefined') {
      throw new TabswarmError('TRACKER_UNREACHABLE', 'This browser has no WebRTC, which Tabswarm needs to reach other peers. Try a current Chrome, Firefox or Safari.');
    }
    const config = opts.iceServers && opts.store !== undefined ? null : await fetchServerConfig(opts.configUrl);
    return new BrowserClient({ ...opts, iceServers: opts.iceServers ?? config?.iceServers ?? [], store: opts.store !== undefined ? opts.store : (config?.store ?? null) });
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

  private startSession(source: TorrentSource, trackers: string[], engine: Partial<EngineOptions> = {}, webSeeds: string[] = [], metadataSources: string[] = []): SwarmSession {
    const session = new SwarmSession(
      source,
      { peerId: this.peerId, sha1: defaultSha1(), clock: this.clock, clientName: 'Tabswarm', openStore: async (m) => new IdbStore(m) },
      {
        trackers,
        connector: browserConnector(this.opts.iceServers),
        openSocket: browserOpenSocket,
        maxPeers: this.opts.maxPeersPerSwarm ?? DEFAULT_MAX_PEERS_PER_SWARM,
        freeConnections: () => this.maxConnections - this.connectionCount(),
        offerTimeoutMs: this.opts.offerTimeoutMs,
        engine: { ...engine, ...this.opts.engine, ...this.sharingOptions() },
        webSeeds,
        metadataSources,
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
   * initially (super-seed.ts) unless `initialSeeding: false`.
   */
  async seed(files: Array<File | { file: File; path: string[] }>, onProgress?: (phase: 'hashing' | 'storing', done: number, total: number) => void, opts: { initialSeeding?: boolean } = {}): Promise<SwarmSession> {
    const entries = files.map((f) => (f instanceof File ? { file: f, path: f.webkitRelativePath ? f.webkitRelativePath.split('/').slice(1) : [f.name] } : f));
    if (entries.length === 0) throw new TabswarmError('INPUT_EMPTY', 'Choose at least one file to share.');
    // A picked folder names the torrent; several loose files go in a folder named for their count.
    const folder = entries[0]!.file.webkitRelativePath.split('/')[0] || null;
    const multiFile = entries.length > 1 || folder !== null;
    const name = multiFile ? (folder ?? `${entries.length} files`) : entries[0]!.file.name;
    const request: CreateRequest = { files: entries, name, multiFile, announce: this.trackers };
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
    const existing = this.sessions.get(meta.infoHash);
    if (existing) return existing;
    // We are the swarm's first seeder, the case initial seeding is for (unless the options say
    // otherwise) — but not for audio or video: initial seeding reveals pieces in its own order, and
    // a viewer streaming the file needs the ones under its playhead now.
    const streamable = meta.files.some((f) => ['audio', 'video'].includes(contentKind(f.path[f.path.length - 1]!).kind));
    const session = this.startSession({ metainfo: meta }, this.trackers, { superSeed: opts.initialSeeding ?? !streamable });
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
    const sources = await rememberSources(parsed.infoHash, { webSeeds: parsed.webSeeds, sources: parsed.sources });
    this.linkSources.set(parsed.infoHash, sources);
    const session = this.startSession(source, trackers, {}, sources.webSeeds, sources.sources);
    await session.start();
    return session;
  }

  stats(infoHash: string): TorrentStats | null {
    return this.sessions.get(infoHash)?.torrent.stats() ?? null;
  }

  magnet(infoHash: string): string {
    const meta = this.sessions.get(infoHash)?.torrent.meta;
    const sources = this.linkSources.get(infoHash);
    return buildMagnet({ infoHash, name: meta?.name, trackers: this.trackers, webSeeds: sources?.webSeeds ?? [], sources: sources?.sources ?? [] });
  }

  /** A finished file as a Blob assembled from stored pieces (no single huge copy in the heap). */
  async file(infoHash: string, fileIndex = 0): Promise<StoredFile> {
    return fileBlob(await this.meta(infoHash), fileIndex);
  }

  /** Every file of the torrent, as Blobs with their paths. */
  async files(infoHash: string): Promise<StoredFile[]> {
    const meta = await this.meta(infoHash);
    return Promise.all(meta.files.map((_, i) => fileBlob(meta, i)));
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
    await Promise.all([deleteStored(infoHash), forgetSources(infoHash)]);
  }

  async stop(infoHash: string): Promise<void> {
    await this.sessions.get(infoHash)?.stop();
    this.sessions.delete(infoHash);
  }
}

async function storedMeta(infoHash: string): Promise<Metainfo | null> {
  const stored = await getStored(infoHash);
  return stored ? { ...parseInfo(stored.infoBytes), announce: stored.announce, urlList: [] } : null;
}
