/** `tabswarm get MAGNET|FILE.torrent`: download into a folder, verify, and exit (or keep seeding). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseMagnet } from '../../../shared/magnet.ts';
import { parseTorrent } from '../../../shared/metainfo/index.ts';
import { TabswarmError } from '../../../shared/errors.ts';
import type { TorrentSource } from '../../engine/torrent.ts';
import { SwarmSession } from '../../engine/session.ts';
import { FsStore } from '../../node/fs-store.ts';
import { nodeConnector, nodeOpenSocket, nodePeerId } from '../../node/peer-env.ts';
import { nodeSha1 } from '../../node/sha1.ts';
import { formatBytes, progressBar } from '../progress.ts';
import { downloadDetail, seedLine } from '../swarm-status.ts';
import { CLI_NAME_VERSION } from '../version.ts';
import { DEFAULT_TRACKER } from '../swarm-args.ts';
import { runUntilSignal } from '../lifecycle.ts';
import { EXIT_NO_PEERS, EXIT_STORAGE, ExitError } from '../exit.ts';

export interface GetArgs {
  source: string;
  outDir: string;
  trackers: string[];
  uploadLimit: number;
  seed: boolean;
  timeoutS: number;
}


async function readSource(source: string): Promise<{ torrent: TorrentSource; trackers: string[]; webSeeds: string[]; metadataSources: string[] }> {
  if (source.toLowerCase().startsWith('magnet:')) {
    const link = parseMagnet(source);
    return { torrent: link.name === undefined ? { infoHash: link.infoHash } : { infoHash: link.infoHash, name: link.name }, trackers: link.trackers.filter((t) => /^wss?:/.test(t)), webSeeds: link.webSeeds, metadataSources: link.sources };
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
  const { torrent, trackers: fromSource, webSeeds, metadataSources } = await readSource(args.source);
  const trackers = [...new Set([...args.trackers, ...fromSource])];
  if (trackers.length === 0) trackers.push(DEFAULT_TRACKER);
  const outDir = resolve(args.outDir);
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
    { trackers, connector: nodeConnector(), openSocket: nodeOpenSocket, engine: { uploadLimit: args.uploadLimit }, webSeeds, metadataSources },
  );
  let resumeReported = false;
  const reportResume = () => {
    if (resumeReported || !session.torrent.meta) return;
    resumeReported = true;
    checking.finish();
    resumed = session.torrent.stats().piecesHave;
    if (resumed > 0) process.stderr.write(`resuming: ${resumed} pieces already on disk and verified\n`);
  };
  session.torrent.on('metadata', () => {
    process.stderr.write(`metadata received from a peer\n`);
    reportResume();
  });
  session.on('warning', (w) => {
    if (w.code !== 'PIECE_HASH_MISMATCH') process.stderr.write(`warning: ${w.message}\n`);
  });

  const finished = new Promise<void>((resolveDone, reject) => {
    session.on('error', (e) => reject(new ExitError(EXIT_STORAGE, e.message)));
    session.on('done', () => resolveDone());
  });
  await session.start();
  reportResume(); // a .torrent: the store is open now; a magnet: once the metadata arrives

  // No peer within the timeout: stop waiting (a peer that ever connected counts).
  const noPeers = new Promise<never>((_, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (session.torrent.peerCount > 0 || session.torrent.done) return clearInterval(timer);
      if (Date.now() - started > args.timeoutS * 1000) {
        clearInterval(timer);
        reject(new ExitError(EXIT_NO_PEERS, `No peer found within ${args.timeoutS} s on ${trackers.join(', ')}. Is anyone seeding this torrent? (--timeout sets the wait)`));
      }
    }, 250);
    void finished.finally(() => clearInterval(timer));
  });

  const bar = progressBar('downloading');
  const offProgress = session.on('progress', (s) => bar.update(s.bytesVerified, s.length ?? 0, downloadDetail(s)));
  try {
    await Promise.race([finished, noPeers]);
  } catch (err) {
    bar.finish();
    await session.stop();
    throw err;
  }
  offProgress();
  bar.finish();
  const s = session.torrent.stats();
  process.stdout.write(`saved ${s.name} (${formatBytes(s.length ?? 0)}) to ${outDir}; ${s.pieceCount! - resumed} pieces downloaded, ${resumed} resumed\n`);
  if (args.seed) {
    process.stderr.write('seeding; Ctrl-C to stop\n');
    await runUntilSignal(session, 2_000, () => process.stderr.write(`${seedLine(session.torrent.stats())}\n`));
  } else {
    await session.stop();
  }
}
