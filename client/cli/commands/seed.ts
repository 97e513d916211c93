/** `tabswarm seed PATH`: share a file or folder with the swarm until Ctrl-C. */
import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { decodeLinkKey, deriveKeys } from '../../../shared/private/key.ts';
import { sealToFile } from '../private-share.ts';
import { PrivateShare } from '../../../shared/private/open.ts';
import { sealedContentsOf } from '../../../shared/private/contents.ts';
import { torrentCipherSource } from '../../engine/private-source.ts';
import { buildMagnet } from '../../../shared/magnet.ts';
import { createTorrent, encodeTorrentFile, parseTorrent, pieceSize, type Metainfo } from '../../../shared/metainfo/index.ts';
import { uploadToStore } from '../../engine/store-upload.ts';
import { TabswarmError } from '../../../shared/errors.ts';
import { SwarmSession } from '../../engine/session.ts';
import { FsStore } from '../../node/fs-store.ts';
import { nodeOpenSocket, nodePeerId, relayAwareConnector } from '../../node/peer-env.ts';
import { readFsInput } from '../fs-input.ts';
import { nodeSha1 } from '../../node/sha1.ts';
import { progressBar } from '../progress.ts';
import { seedLine } from '../swarm-status.ts';
import { CLI_NAME_VERSION } from '../version.ts';
import { runUntilSignal } from '../lifecycle.ts';
import { RESTART_ENV, reportLinkPrinted } from '../worker-supervisor.ts';

export interface SeedArgs {
  path: string;
  torrent?: string;
  trackers: string[];
  uploadLimit: number;
  /**
   * Initial seeding (super-seed.ts) when this is a new share: the first seeder's upload is the
   * swarm's bottleneck, so it hands out distinct pieces. A share from an existing .torrent may have
   * other seeders already, so it seeds plainly.
   */
  initialSeeding: boolean;
  /**
   * Upload the content to this Tabswarm server's store first (the seed of last resort), so the link
   * keeps working after this process stops; the printed link then carries the server as a web seed.
   */
  keepOn?: string;
  /**
   * A private share's key (base64url): offers and answers are signed with it, and the printed link
   * carries it. With `sealPlain`, PATH is sealed under it first (deterministically, so a restart
   * makes the same torrent); otherwise PATH is an already sealed file and `torrent` its .torrent.
   */
  privateKey?: string;
  sealPlain?: boolean;
  /** Ms since 1970: the link carries it (x.tse); seeding stops then, and a --keep copy is deleted then. */
  expiresAt?: number;
  /** Peers without the key may relay the ciphertext (the link's x.tsr=1); a relay link without the key is printed too. */
  allowRelays?: boolean;
  /** Connect to peers only through the servers' TURN relay: they never learn this machine's address. */
  relayOnly?: boolean;
}

/** Where `seed --private` keeps the sealed copy it seeds from. */
const SEALED_DIR = join(tmpdir(), 'tabswarm-sealed');

const STATUS_INTERVAL_MS = 2_000;

export async function seedCommand(args: SeedArgs): Promise<void> {
  let absolute = resolve(args.path);
  const linkKey = args.privateKey === undefined ? null : decodeLinkKey(args.privateKey);
  const keys = linkKey ? await deriveKeys(linkKey) : null;
  let extraInfo: Record<string, Uint8Array> = {};
  if (linkKey && keys && args.sealPlain) {
    await mkdir(SEALED_DIR, { recursive: true });
    const sealed = await sealToFile(await readFsInput(absolute), SEALED_DIR, linkKey, keys.content);
    absolute = sealed.path;
    extraInfo = sealed.extraInfo;
  }
  let meta: Metainfo;
  let assumeComplete = false;
  if (args.torrent) {
    meta = parseTorrent(new Uint8Array(await readFile(args.torrent).catch(() => {
      throw new TabswarmError('INPUT_NOT_FOUND', `Cannot read ${args.torrent}.`);
    })));
    if (basename(absolute) !== meta.name) {
      throw new TabswarmError('INPUT_UNREADABLE', `PATH must be the torrent's ${meta.multiFile ? 'folder' : 'file'} "${meta.name}", not "${basename(absolute)}".`);
    }
  } else {
    const input = await readFsInput(absolute);
    const total = input.files.reduce((s, f) => s + f.length, 0);
    const bar = progressBar('hashing');
    const created = await createTorrent({
      name: input.name,
      files: input.files,
      multiFile: input.multiFile,
      sha1: nodeSha1,
      announce: args.trackers,
      extraInfo,
      createdBy: CLI_NAME_VERSION,
      creationDate: Math.floor(Date.now() / 1000),
      onProgress: (done) => bar.update(done, total),
    });
    bar.finish();
    meta = created.metainfo;
    assumeComplete = true; // we just hashed these very files
  }

  let fsStore: FsStore | null = null;
  const recheck = progressBar('checking');
  const session = new SwarmSession(
    { metainfo: meta },
    {
      peerId: nodePeerId(),
      sha1: nodeSha1,
      clientName: CLI_NAME_VERSION,
      openStore: async (m) => (fsStore = new FsStore(m, dirname(absolute), { sha1: nodeSha1, assumeComplete, onRecheckProgress: (d, t) => recheck.update(d, t) })),
    },
    { trackers: args.trackers, connector: await relayAwareConnector(args.trackers, args.relayOnly === true), openSocket: nodeOpenSocket, engine: { uploadLimit: args.uploadLimit, superSeed: args.initialSeeding && !args.torrent }, signalKey: keys?.signal, expiresAt: args.expiresAt, allowRelays: args.allowRelays },
  );
  session.on('warning', (w) => process.stderr.write(`warning: ${w.message}\n`));
  await session.start();
  recheck.finish();
  const stats = session.torrent.stats();
  if (!stats.done) {
    throw new TabswarmError('INPUT_UNREADABLE', `${args.path} does not match the torrent: ${stats.piecesHave} of ${stats.pieceCount} pieces verified.`);
  }
  if (keys) {
    // A key that is not this share's would print a link nobody can open: check it (on the contents list, or the first record).
    const source = torrentCipherSource(session.torrent, meta);
    try {
      await PrivateShare.open(source, keys.content, sealedContentsOf(meta.infoBytes));
    } catch (err) {
      await session.stop();
      throw err;
    } finally {
      source.close();
    }
  }
  const webSeeds: string[] = [];
  const sources: string[] = [];
  // Started again after a crash (worker-supervisor.ts): the server copy exists and the link was printed.
  const restarted = process.env[RESTART_ENV] === '1';
  if (args.keepOn && !restarted) {
    const bar = progressBar('keeping on the server');
    const store = fsStore!;
    const kept = await uploadToStore({
      serverUrl: args.keepOn,
      torrentBytes: encodeTorrentFile(meta.infoBytes, args.trackers),
      readPiece: (i) => store.read(i, 0, pieceSize(meta, i)),
      expiresAt: args.expiresAt,
      onProgress: (done, total) => bar.update(done, total),
    }).catch(async (err: unknown) => {
      await session.stop();
      throw err;
    });
    bar.finish();
    webSeeds.push(kept.webSeed);
    sources.push(kept.torrentUrl);
    process.stderr.write(`kept on ${args.keepOn} until ${new Date(kept.expiresAt).toISOString()}: the link works after this process stops\n`);
  }
  const link = { infoHash: meta.infoHash, trackers: args.trackers, webSeeds, sources, ...(args.expiresAt === undefined ? {} : { expiresAt: args.expiresAt }), ...(args.allowRelays ? { relays: true } : {}) };
  if (!restarted) {
    process.stdout.write(`${buildMagnet({ ...link, name: meta.name, ...(args.privateKey === undefined ? {} : { privateKey: args.privateKey }) })}\n`);
    if (args.allowRelays) process.stderr.write(`relay link (no key: who has it carries the ciphertext for others and cannot open it):\n${buildMagnet(link)}\n`);
    reportLinkPrinted();
  }
  await runUntilSignal(session, STATUS_INTERVAL_MS, () => process.stderr.write(`${seedLine(session.torrent.stats())}\n`));
}
