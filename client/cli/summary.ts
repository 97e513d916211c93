import { buildMagnet } from '../../shared/magnet.ts';
import { joinPath, type Metainfo } from '../../shared/metainfo/index.ts';
import { formatBytes } from './progress.ts';

/** What `create --json` and `info --json` print: one shape, so scripts can read either. */
export interface TorrentSummary {
  infoHash: string;
  magnet: string;
  name: string;
  length: number;
  pieceLength: number;
  pieces: number;
  files: Array<{ path: string; length: number }>;
}

/**
 * `torrentUrls`: where the .torrent is published (the magnet's xs=), if the user said. `privateKey`:
 * a private share's key, which the link then carries (and no name: the torrent's is meaningless).
 */
export function summarize(meta: Metainfo, torrentUrls: string[] = [], privateKey?: string, expiresAt?: number): TorrentSummary {
  return {
    infoHash: meta.infoHash,
    magnet: buildMagnet({ infoHash: meta.infoHash, name: meta.name, trackers: meta.announce, webSeeds: meta.urlList, sources: torrentUrls, ...(expiresAt === undefined ? {} : { expiresAt }), ...(privateKey === undefined ? {} : { privateKey }) }),
    name: meta.name,
    length: meta.length,
    pieceLength: meta.pieceLength,
    pieces: meta.pieceCount,
    files: meta.files.map((f) => ({ path: joinPath(f.path), length: f.length })),
  };
}

export function formatSummary(s: TorrentSummary): string {
  const lines = [
    `name:       ${s.name}`,
    `info hash:  ${s.infoHash}`,
    `size:       ${formatBytes(s.length)} (${s.length} bytes) in ${s.pieces} pieces of ${formatBytes(s.pieceLength)}`,
  ];
  if (s.files.length > 1 || s.files[0]?.path !== s.name) {
    lines.push(`files:      ${s.files.length}`);
    for (const f of s.files) lines.push(`  ${f.path} (${formatBytes(f.length)})`);
  }
  lines.push(`magnet:     ${s.magnet}`);
  return lines.join('\n');
}
