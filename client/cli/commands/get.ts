/** `tabswarm get MAGNET|FILE.torrent`: download into a folder, verify, and exit (or keep seeding). */
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Metainfo } from '../../../shared/metainfo/types.ts';
import { decodeLinkKey, deriveKeys } from '../../../shared/private/key.ts';
import { PrivateShare } from '../../../shared/private/open.ts';
import { sealedContentsOf } from '../../../shared/private/contents.ts';
import { torrentCipherSource } from '../../engine/private-source.ts';
import { unsealToFolder } from '../private-share.ts';
import { parseMagnet } from '../../../shared/magnet.ts';
import { parseTorrent } from '../../../shared/metainfo/index.ts';
import { TabswarmError } from '../../../shared/errors.ts';
import type { TorrentSource } from '../../engine/torrent.ts';
import { SwarmSession } from '../../engine/session.ts';
import { FsStore } from '../../node/fs-store.ts';
import { nodeOpenSocket, nodePeerId, relayAwareConnector } from '../../node/peer-env.ts';
import { nodeSha1 } from '../../node/sha1.ts';
import { formatBytes, progressBar } from '../progress.ts';
import { downloadDetail, seedLine } from '../swarm-status.ts';
import { CLI_NAME_VERSION } from '../version.ts';
import { DEFAULT_TRACKER } from '../swarm-args.ts';
import { runUntilSignal } from '../lifecycle.ts';
import { EXIT_NO_PEERS, EXIT_STORAGE, ExitError } from '../exit.ts';

/** Below the output folder: where a private share's sealed file is kept while it downloads (and seeds). */
const PRIVATE_STAGING_DIR = '.tabswarm-private';

export interface GetArgs {
  source: string;
  outDir: string;
  trackers: string[];
  uploadLimit: number;
  seed: boolean;
  timeoutS: number;
  /** Connect to peers only through the servers' TURN relay: they never learn this machine's address. */
  relayOnly?: boolean;
}


interface Source {
  torrent: TorrentSource;
  trackers: string[];
  webSeeds: string[];
  metadataSources: string[];
  /** A private share's key (the link's x.tsk). */
  privateKey?: string;
  /** The link's expiry (x.tse), ms since 1970. */
  expiresAt?: number;
  /** The sharer lets keyless peers relay (x.tsr=1). */
  relays?: boolean;
}

async function readSource(source: string): Promise<Source> {
  // The app's links put the magnet in the #fragment: ORIGIN/#magnet:?…
  const at = source.indexOf('#magnet:?');
  if (at !== -1 && /^https?:/i.test(source)) source = source.slice(at + 1);
  if (source.toLowerCase().startsWith('magnet:')) {
    const link = parseMagnet(source);
    const out: Source = { torrent: link.name === undefined ? { infoHash: link.infoHash } : { infoHash: link.infoHash, name: link.name }, trackers: link.trackers.filter((t) => /^wss?:/.test(t)), webSeeds: link.webSeeds, metadataSources: link.sources };
    if (link.privateKey !== undefined) out.privateKey = link.privateKey;
    if (link.expiresAt !== undefined) out.expiresAt = link.expiresAt;
    if (link.relays) out.relays = true;
    return out;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(source));
  } catch {
    throw new TabswarmError('INPUT_NOT_FOUND', `No such torrent file: ${source} (give a .torrent file or a magnet: link).`);
  }
  const meta = parseTorrent(bytes);
  // The torrent's own url-list reaches the session with its metainfo.
  return { torrent: { metainfo: meta }, trackers: meta.announce.filter((t) => /^wss?:/.test(t)), webSeeds: [], metadataSources: [] };
}

export async function getCommand(args: GetArgs): Promise<void> {
  const { torrent, trackers: fromSource, webSeeds, metadataSources, privateKey, expiresAt, relays } = await readSource(args.source);
  const trackers = [...new Set([...args.trackers, ...fromSource])];
  if (trackers.length === 0) trackers.push(DEFAULT_TRACKER);
  const saveDir = resolve(args.outDir);
  const keys = privateKey === undefined ? null : await deriveKeys(decodeLinkKey(privateKey));
  // A private share downloads its sealed file into a hidden folder, then unseals into the real files.
  const outDir = keys ? join(saveDir, PRIVATE_STAGING_DIR) : saveDir;
  let resumed = 0;
  const checking = progressBar('checking');
  const session = new SwarmSession(
    torrent,
    {
      peerId: nodePeerId(),
      sha1: nodeSha1,
      clientName: CLI_NAME_VERSION,
      openStore: async (meta) => {
        const store = new FsStore(meta, outDir, { sha1: nodeSha1, onRecheckProgress: (d, t) => checking.update(d, t) });
        return store;
      },
    },
    { trackers, connector: await relayAwareConnector(trackers, args.relayOnly === true), openSocket: nodeOpenSocket, engine: { uploadLimit: args.uploadLimit }, webSeeds, metadataSources, signalKey: keys?.signal, expiresAt, allowRelays: relays },
  );
  // The metadata: from the .torrent once the session has started, or from a peer.
  let metaKnown!: (meta: Metainfo) => void;
  const metaReady = new Promise<Metainfo>((resolveMeta) => (metaKnown = resolveMeta));
  let resumeReported = false;
  const reportResume = () => {
    if (resumeReported || !session.torrent.meta) return;
    resumeReported = true;
    checking.finish();
    resumed = session.torrent.stats().piecesHave;
    if (resumed > 0) process.stderr.write(`resuming: ${resumed} pieces already on disk and verified\n`);
  };
  session.torrent.on('metadata', (meta) => {
    process.stderr.write(`metadata received from a peer\n`);
    reportResume();
    metaKnown(meta);
  });
  /** Connections of a private share refused for their signature: why no peer came, if none does. */
  let refused = 0;
  let keyMissing!: (e: TabswarmError) => void;
  const missingKey = new Promise<never>((_, reject) => (keyMissing = reject));
  missingKey.catch(() => {});
  session.on('warning', (w) => {
    // Without the key a private swarm's peers never connect: stop now, with the reason.
    if (w.code === 'PRIVATE_KEY_MISSING') return keyMissing(w);
    if (w.code === 'PRIVATE_SIGNAL_UNAUTHENTICATED') refused++;
    if (w.code !== 'PIECE_HASH_MISMATCH') process.stderr.write(`warning: ${w.message}\n`);
  });

  const finished = new Promise<void>((resolveDone, reject) => {
    // An expired link is the link's problem (exit 2), not storage's.
    session.on('error', (e) => reject(e.code === 'LINK_EXPIRED' ? e : new ExitError(EXIT_STORAGE, e.message)));
    session.on('done', () => resolveDone());
  });
  await session.start();
  reportResume(); // a .torrent: the store is open now; a magnet: once the metadata arrives
  if (session.torrent.meta) metaKnown(session.torrent.meta);
  // The share's contents list, opened as soon as its first piece arrives (asked for first): a wrong key is told then, not after the whole download.
  let cipherSource: ReturnType<typeof torrentCipherSource> | null = null;
  const opened = keys
    ? metaReady.then((meta) => {
        cipherSource = torrentCipherSource(session.torrent, meta);
        return PrivateShare.open(cipherSource, keys.content, sealedContentsOf(meta.infoBytes));
      })
    : null;
  opened?.catch(() => {});
  // A key that does not open the share ends the download at once (a key that does leaves the race to the others).
  const wrongKey = opened ? opened.then(() => new Promise<never>(() => {})) : new Promise<never>(() => {});
  wrongKey.catch(() => {});

  // No peer within the timeout: stop waiting (a peer that ever connected counts).
  const noPeers = new Promise<never>((_, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (session.torrent.peerCount > 0 || session.torrent.done) return clearInterval(timer);
      if (Date.now() - started > args.timeoutS * 1000) {
        clearInterval(timer);
        if (refused > 0) return reject(new TabswarmError('PRIVATE_SIGNAL_UNAUTHENTICATED', `No peer of this private share accepted this link's key within ${args.timeoutS} s: ${refused === 1 ? 'the one connection was refused because its fingerprint was' : `all ${refused} connections were refused because their fingerprints were`} not signed with the same key. Copy the whole link again; if it is whole, the signalling server (${trackers.join(', ')}) is altering connections.`));
        reject(new ExitError(EXIT_NO_PEERS, `No peer found within ${args.timeoutS} s on ${trackers.join(', ')}. Is anyone seeding this torrent? (--timeout sets the wait)`));
      }
    }, 250);
    void finished.finally(() => clearInterval(timer));
  });

  const bar = progressBar('downloading');
  const offProgress = session.on('progress', (s) => bar.update(s.bytesVerified, s.length ?? 0, downloadDetail(s)));
  try {
    await Promise.race([finished, noPeers, wrongKey, missingKey]);
  } catch (err) {
    bar.finish();
    await session.stop();
    throw err;
  }
  offProgress();
  bar.finish();
  const s = session.torrent.stats();
  if (keys) {
    let share: PrivateShare;
    try {
      share = await opened!;
    } catch (err) {
      await session.stop();
      throw err;
    }
    cipherSource!.close();
    const top = await unsealToFolder(share, saveDir);
    const bytes = share.manifest.files.reduce((sum, f) => sum + f.length, 0);
    process.stdout.write(`saved ${share.manifest.name} (${formatBytes(bytes)}, private: decrypted and authenticated) to ${top}; ${s.pieceCount! - resumed} pieces downloaded, ${resumed} resumed\n`);
  } else {
    process.stdout.write(`saved ${s.name} (${formatBytes(s.length ?? 0)}) to ${outDir}; ${s.pieceCount! - resumed} pieces downloaded, ${resumed} resumed\n`);
    if (relays) process.stderr.write('this is a private share\'s ciphertext: you can relay it (--seed) but not open it; the sharer\'s link with its key (x.tsk=…) opens it\n');
  }
  if (args.seed) {
    process.stderr.write('seeding; Ctrl-C to stop\n');
    await runUntilSignal(session, 2_000, () => process.stderr.write(`${seedLine(session.torrent.stats())}\n`));
  } else {
    await session.stop();
    // The sealed copy was only the way in; the decrypted files are what the user asked for.
    if (keys) await rm(outDir, { recursive: true, force: true });
  }
}
