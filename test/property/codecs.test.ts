/** Round-trips of every codec, for any input fast-check can think of. */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bdecode, bencodeBytes, type BencodeValue } from '../../shared/bencode.ts';
import { concatBytes, utf8 } from '../../shared/bytes.ts';
import { buildMagnet, parseMagnet } from '../../shared/magnet.ts';
import { createTorrent, parseTorrent, pieceHash } from '../../shared/metainfo/index.ts';
import { portableSha1 } from '../../shared/sha1.ts';

// The bencode package decodes dictionary keys as text into a plain object, so keys are printable
// strings other than "__proto__" (whose hostile use is covered by the metainfo tests).
const key = fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__');
const bencodeValue: fc.Arbitrary<BencodeValue> = fc.letrec<{ value: BencodeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.maxSafeInteger(),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('bencode', () => {
  it('decode(encode(v)) = v', () => {
    fc.assert(
      fc.property(bencodeValue, (v) => {
        expect(bdecode(bencodeBytes(v))).toEqual(v);
      }),
    );
  });
});

const component = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }).filter((c) => !/[/\\\0]/.test(c) && c !== '.' && c !== '..');
const fileSpec = fc.record({ path: fc.array(component, { minLength: 1, maxLength: 3 }), length: fc.integer({ min: 0, max: 70_000 }) });

function chunked(bytes: Uint8Array, size: number) {
  return async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  };
}

describe('metainfo', () => {
  it('parse(create(files)) keeps every file, length and piece hash, for any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fileSpec, { minLength: 1, maxLength: 6, selector: (f) => f.path[0] }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(16_384, 32_768, 262_144),
        async (specs, chunk, pieceLength) => {
          fc.pre(specs.reduce((s, f) => s + f.length, 0) > 0);
          // Distinct first components keep paths from clashing (a file and a folder of one name).
          const contents = specs.map((s, i) => new Uint8Array(s.length).fill(i + 1));
          const { torrentBytes, metainfo } = await createTorrent({
            name: 'root',
            multiFile: true,
            sha1: portableSha1,
            pieceLength,
            files: specs.map((s, i) => ({ path: s.path, length: s.length, stream: chunked(contents[i]!, chunk) })),
          });
          const parsed = parseTorrent(torrentBytes);
          expect(parsed.infoHash).toBe(metainfo.infoHash);
          const byPath = new Map(specs.map((s, i) => [s.path.join('/'), contents[i]!]));
          expect(new Set(parsed.files.map((f) => f.path.join('/')))).toEqual(new Set(byPath.keys()));
          const whole = concatBytes(parsed.files.map((f) => byPath.get(f.path.join('/'))!));
          expect(whole.length).toBe(parsed.length);
          for (let i = 0; i < parsed.pieceCount; i++) {
            const piece = whole.subarray(i * pieceLength, (i + 1) * pieceLength);
            expect(Buffer.from(pieceHash(parsed, i))).toEqual(createHash('sha1').update(piece).digest());
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('magnet', () => {
  const hex = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex'));
  const tracker = fc.webUrl({ withQueryParameters: true }).map((u) => u.replace(/^https?/, 'wss'));
  it('parse(build(link)) = link', () => {
    fc.assert(
      fc.property(
        hex,
        fc.option(fc.string({ unit: 'grapheme', maxLength: 30 }), { nil: undefined }),
        fc.uniqueArray(tracker, { maxLength: 3 }),
        fc.uniqueArray(fc.webUrl(), { maxLength: 2 }),
        fc.uniqueArray(fc.webUrl({ withQueryParameters: true }), { maxLength: 2 }),
        (infoHash, name, trackers, webSeeds, sources) => {
          const link = name === undefined ? { infoHash, trackers, webSeeds, sources } : { infoHash, name, trackers, webSeeds, sources };
          expect(parseMagnet(buildMagnet(link))).toEqual(link);
        },
      ),
    );
  });

  it('any string either parses or throws MAGNET_INVALID', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `magnet:?${s}`), fc.string().map((s) => `magnet:?xt=urn:btih:${s}`)), (s) => {
        try {
          parseMagnet(s);
        } catch (err) {
          expect(err).toMatchObject({ code: 'MAGNET_INVALID' });
        }
      }),
    );
  });
});

describe('utf8 sanity', () => {
  it('component arbitrary yields valid names', () => {
    fc.assert(fc.property(component, (c) => utf8(c).length > 0));
  });
});
