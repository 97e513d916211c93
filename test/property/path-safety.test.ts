/** Whatever a torrent says, no file it names lands outside the download folder. */
import fc from 'fast-check';
import { resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bencodeBytes } from '../../shared/bencode.ts';
import { isTabswarmError } from '../../shared/errors.ts';
import { parseTorrent } from '../../shared/metainfo/index.ts';

const ROOT = resolve('/downloads/tabswarm');
const evil = fc.constantFrom('..', '.', '', '/', '/etc', '../..', 'a/../../b', '..\\..\\win', 'C:\\x', '\0', '~', '%2e%2e', '....', ' ..');
const component = fc.oneof(evil, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }));

function assertConfined(bytes: Uint8Array): void {
  let meta;
  try {
    meta = parseTorrent(bytes);
  } catch (err) {
    expect(isTabswarmError(err)).toBe(true);
    return;
  }
  for (const file of meta.files) {
    const target = resolve(ROOT, meta.name, ...file.path);
    expect(target.startsWith(ROOT + sep)).toBe(true);
  }
}

describe('path safety', () => {
  it('parsed torrents never name a path outside the download folder', () => {
    fc.assert(
      fc.property(component, fc.array(fc.record({ length: fc.nat(100_000), path: fc.array(component, { maxLength: 4 }) }), { minLength: 1, maxLength: 4 }), (name, files) => {
        const total = files.reduce((s, f) => s + f.length, 0);
        const pieces = new Uint8Array(Math.ceil(total / 262_144) * 20);
        assertConfined(bencodeBytes({ info: { files, name, 'piece length': 262_144, pieces } }));
        assertConfined(bencodeBytes({ info: { length: Math.max(1, total), name, 'piece length': 262_144, pieces: new Uint8Array(Math.ceil(Math.max(1, total) / 262_144) * 20) } }));
      }),
      { numRuns: 3000 },
    );
  });

  it('random byte mutations of a valid torrent parse safely or fail with a typed error', () => {
    const base = bencodeBytes({ info: { files: [{ length: 10, path: ['ab', 'cd'] }, { length: 5, path: ['ef'] }], name: 'xy', 'piece length': 262_144, pieces: new Uint8Array(20) } });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const bytes = base.slice();
        for (const [at, value] of edits) bytes[at] = value;
        assertConfined(bytes);
      }),
      { numRuns: 3000 },
    );
  });
});
