import { readFile } from 'node:fs/promises';
import { parseTorrent } from '../../../shared/metainfo/index.ts';
import { TabswarmError } from '../../../shared/errors.ts';
import { formatSummary, summarize } from '../summary.ts';

export interface InfoArgs {
  file: string;
  json: boolean;
}

export async function infoCommand(args: InfoArgs): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(args.file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TabswarmError('INPUT_NOT_FOUND', `No such file: ${args.file}`);
    throw new TabswarmError('INPUT_UNREADABLE', `Cannot read ${args.file} (${code ?? String(err)}).`);
  }
  const summary = summarize(parseTorrent(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  process.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
}
