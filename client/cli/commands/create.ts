import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { deriveKeys, encodeLinkKey, newLinkKey } from '../../../shared/private/key.ts';
import { sealToFile } from '../private-share.ts';
import { createTorrent } from '../../../shared/metainfo/index.ts';
import { TabswarmError } from '../../../shared/errors.ts';
import { usableWebSeeds } from '../../../shared/web-seed.ts';
import { readFsInput } from '../fs-input.ts';
import { nodeSha1 } from '../../node/sha1.ts';
import { progressBar } from '../progress.ts';
import { formatSummary, summarize } from '../summary.ts';
import { CLI_NAME_VERSION } from '../version.ts';

/** Below this, hashing takes a blink and a progress bar would only flicker. */
const PROGRESS_THRESHOLD_BYTES = 8 * 1024 * 1024;

export interface CreateArgs {
  path: string;
  output?: string;
  announce: string[];
  /** BEP 19 web seeds (url-list): http(s) URLs of the file, or of a folder ending in "/". */
  webSeeds: string[];
  /** Where the .torrent will be published: the printed magnet carries it (xs=), so it works with no peer online. */
  torrentUrl?: string;
  /**
   * A private share: the content and names are sealed first (shared/private/) into one opaque file
   * beside the .torrent, which the torrent describes; the printed link carries the key.
   */
  private: boolean;
  /** Ms since 1970: the link carries it (x.tse); peers stop sharing then. */
  expiresAt?: number;
  json: boolean;
}

export async function createCommand(args: CreateArgs): Promise<void> {
  const unusable = args.webSeeds.filter((u) => usableWebSeeds([u]).length === 0);
  if (unusable.length > 0) throw new TabswarmError('INPUT_UNREADABLE', `--web-seed takes an http:// or https:// URL, not "${unusable[0]}".`);
  if (args.torrentUrl !== undefined && usableWebSeeds([args.torrentUrl]).length === 0) throw new TabswarmError('INPUT_UNREADABLE', `--torrent-url takes an http:// or https:// URL, not "${args.torrentUrl}".`);
  const plain = await readFsInput(args.path);
  for (const s of plain.skipped) process.stderr.write(`skipped ${s}\n`);
  const output = args.output ?? `${plain.name}.torrent`;
  let input = plain;
  let linkKey: Uint8Array | null = null;
  let extraInfo: Record<string, Uint8Array> = {};
  if (args.private) {
    linkKey = newLinkKey();
    const sealed = await sealToFile(plain, dirname(resolve(output)), linkKey, (await deriveKeys(linkKey)).content);
    input = await readFsInput(sealed.path);
    extraInfo = sealed.extraInfo;
  }
  const total = input.files.reduce((sum, f) => sum + f.length, 0);
  const bar = total > PROGRESS_THRESHOLD_BYTES ? progressBar('hashing') : null;
  bar?.update(0, total);

  const { torrentBytes, metainfo } = await createTorrent({
    name: input.name,
    files: input.files,
    multiFile: input.multiFile,
    sha1: nodeSha1,
    announce: args.announce,
    urlList: args.webSeeds,
    extraInfo,
    createdBy: CLI_NAME_VERSION,
    creationDate: Math.floor(Date.now() / 1000),
    onProgress: bar ? (done, all) => bar.update(done, all) : undefined,
  });
  bar?.finish();

  try {
    await writeFile(output, torrentBytes);
  } catch (err) {
    throw new TabswarmError('INPUT_UNREADABLE', `Cannot write ${output} (${(err as NodeJS.ErrnoException).code ?? String(err)}); choose another -o path.`);
  }
  const summary = summarize(metainfo, args.torrentUrl === undefined ? [] : [args.torrentUrl], linkKey ? encodeLinkKey(linkKey) : undefined, args.expiresAt);
  const sealedPath = linkKey ? join(dirname(resolve(output)), metainfo.name) : null;
  if (args.json) process.stdout.write(`${JSON.stringify(sealedPath ? { ...summary, sealed: sealedPath } : summary)}\n`);
  else {
    process.stdout.write(`${formatSummary(summary)}\ntorrent:    ${output}\n`);
    if (sealedPath) process.stdout.write(`sealed:     ${sealedPath}\nThe link's x.tsk is the key: whoever has the link can open the share, nobody else. Seed with:\n  tabswarm seed ${sealedPath} --torrent ${output} --key '<the link>'${args.expiresAt === undefined ? '' : ` --expires ${new Date(args.expiresAt).toISOString()}`}\n`);
  }
}
