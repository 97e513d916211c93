/** The mktorrent vectors beside the repo (../shared/vectors): torrents, their content, their hashes. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const VECTORS_DIR = fileURLToPath(new URL('../../../shared/vectors', import.meta.url));

export interface Vector {
  torrent: string;
  content: string;
  infoHash: string;
  pieceLength: number;
  pieces: number;
  infoKeys: string[];
  files: string[] | null;
  length: number | null;
}

export function loadVectors(): Vector[] {
  const manifest = JSON.parse(readFileSync(join(VECTORS_DIR, 'manifest.json'), 'utf8')) as { vectors: Vector[] };
  return manifest.vectors;
}

export const vectorPath = (rel: string): string => join(VECTORS_DIR, rel);
