import { writeFile } from 'node:fs/promises';
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
  json: boolean;
}

export async function createCommand(args: CreateArgs): Promise<void> {
  const unusable = args.webSeeds.filter((u) => usableWebSeeds([u]).length === 0);
  if (unusable.length > 0) throw new TabswarmError('INPUT_UNREADABLE', `--web-seed takes an http:// or https:// URL, not "${unusable[0]}".`);
  if (args.torrentUrl !== undefined && usableWebSeeds([args.torrentUrl]).length === 0) throw new TabswarmError('INPUT_UNREADABLE', `--torrent-url takes an http:// or https:// URL, not "${args.torrentUrl}".`);
  const input = await readFsInput(args.path);
  for (const s of input.skipped) process.stderr.write(`skipped ${s}\n`);
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
    createdBy: CLI_NAME_VERSION,
    creationDate: Math.floor(Date.now() / 1000),
    onProgress: bar ? (done, all) => bar.update(done, all) : undefined,
  });
  bar?.finish();

  const output = args.output ?? `${input.name}.torrent`;
  try {
    await writeFile(output, torrentBytes);
  } catch (err) {
    throw new TabswarmError('INPUT_UNREADABLE', `Cannot write ${output} (${(err as NodeJS.ErrnoException).code ?? String(err)}); choose another -o path.`);
  }
  const summary = summarize(metainfo, args.torrentUrl === undefined ? [] : [args.torrentUrl]);
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${formatSummary(summary)}\ntorrent:    ${output}\n`);
}
