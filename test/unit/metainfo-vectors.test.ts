/** Our torrents must be the torrents an independent tool (mktorrent) makes from the same content. */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTorrent, pieceSize } from '../../shared/metainfo/index.ts';
import { runCli } from '../helpers/cli.ts';
import { loadVectors, vectorPath } from '../helpers/vectors.ts';

const vectors = loadVectors();

describe('mktorrent vectors', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(6);
  });

  for (const v of vectors) {
    it(`parses ${v.torrent} with its info hash and layout`, () => {
      const meta = parseTorrent(new Uint8Array(readFileSync(vectorPath(v.torrent))));
      expect(meta.infoHash).toBe(v.infoHash);
      expect(meta.pieceLength).toBe(v.pieceLength);
      expect(meta.pieceCount).toBe(v.pieces);
      expect(meta.multiFile).toBe(v.files !== null);
      if (v.files) expect(meta.files.map((f) => f.path.join('/'))).toEqual(v.files);
      if (v.length !== null) expect(meta.length).toBe(v.length);
      const total = Array.from({ length: meta.pieceCount }, (_, i) => pieceSize(meta, i)).reduce((a, b) => a + b, 0);
      expect(total).toBe(meta.length);
    });

    it(`tabswarm create reproduces ${v.torrent}'s info hash`, () => {
      const out = join(mkdtempSync(join(tmpdir(), 'tabswarm-vec-')), 'out.torrent');
      const r = runCli(['create', vectorPath(v.content), '-o', out, '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const summary = JSON.parse(r.stdout) as { infoHash: string; pieces: number };
      expect(summary.infoHash).toBe(v.infoHash);
      expect(summary.pieces).toBe(v.pieces);
      // The file written is the torrent the summary describes.
      expect(parseTorrent(new Uint8Array(readFileSync(out))).infoHash).toBe(v.infoHash);
    });
  }
});
