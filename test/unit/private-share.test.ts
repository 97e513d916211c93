/**
 * Private shares' format: records aligned to pieces, each opening on its own; the manifest sealed
 * with the content; a wrong key, a damaged key, a tampered or moved record and a cut ciphertext all
 * named clearly; and the key only in the link's x.tsk parameter.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PIECE_LENGTH_BYTES } from '../../shared/constants.ts';
import { buildMagnet, parseMagnet } from '../../shared/magnet.ts';
import { bdecode } from '../../shared/bencode.ts';
import { createTorrent } from '../../shared/metainfo/create.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import {
  cipherLength,
  CONTENTS_INFO_KEY,
  CONTENTS_PAD_BYTES,
  GCM_TAG_BYTES,
  plainLengthFor,
  sealContents,
  sealedContentsOf,
  decodeLinkKey,
  deriveKeys,
  encodeLinkKey,
  newLinkKey,
  plainLengthOf,
  PrivateShare,
  RECORD_PLAIN_BYTES,
  sealShare,
  sealedLength,
  type CipherSource,
  type PrivateManifest,
} from '../../shared/private/index.ts';

async function seal(manifest: PrivateManifest, contents: Uint8Array[], content: CryptoKey): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const r of sealShare({ manifest, content, contents: contents.map((c) => async function* () {
    // Odd chunk sizes: records must not depend on how the reader cuts the files.
    for (let at = 0; at < c.length; at += 100_003) yield c.subarray(at, at + 100_003);
  }) })) parts.push(r);
  return Buffer.concat(parts);
}

function source(bytes: Uint8Array, reads?: number[]): CipherSource {
  return { length: bytes.length, read: async (offset, length) => (reads?.push(offset), bytes.slice(offset, offset + length)) };
}

const files = [randomBytes(3 * RECORD_PLAIN_BYTES + 12_345), randomBytes(0), randomBytes(777)];
const manifest: PrivateManifest = { name: 'holiday', multiFile: true, files: [{ path: ['clip.webm'], length: files[0]!.length }, { path: ['empty.txt'], length: 0 }, { path: ['notes', 'a é.txt'], length: 777 }] };

describe('private shares', () => {
  it('seals into whole 256 KiB records and opens every file byte-exact', async () => {
    const keys = await deriveKeys(newLinkKey());
    const sealed = await seal(manifest, files, keys.content);
    expect(sealed.length).toBe(sealedLength(manifest));
    expect(plainLengthOf(sealed.length)).not.toBeNull();
    const share = await PrivateShare.open(source(sealed), keys.content);
    expect(share.manifest).toEqual(manifest);
    for (const [i, f] of files.entries()) {
      const chunks: Uint8Array[] = [];
      for await (const c of share.fileChunks(i)) chunks.push(c);
      expect(Buffer.compare(Buffer.concat(chunks), f)).toBe(0);
    }
  });

  it('reads any range by opening only the pieces that hold it (a seek)', async () => {
    const keys = await deriveKeys(newLinkKey());
    const sealed = await seal(manifest, files, keys.content);
    const reads: number[] = [];
    const share = await PrivateShare.open(source(sealed, reads), keys.content);
    reads.length = 0;
    const start = 2 * RECORD_PLAIN_BYTES + 5;
    const bytes = await share.readFile(0, start, start + 1000);
    expect(Buffer.compare(bytes, files[0]!.subarray(start, start + 1000))).toBe(0);
    const { first, last } = share.recordsFor(0, start, start + 1000);
    expect(reads).toEqual([...new Set(Array.from({ length: last - first + 1 }, (_, k) => (first + k) * PIECE_LENGTH_BYTES))]);
    expect(reads.every((o) => o % PIECE_LENGTH_BYTES === 0)).toBe(true);
  });

  it('holds no plaintext window: no 64-byte run of any file appears in the ciphertext', async () => {
    const keys = await deriveKeys(newLinkKey());
    const text = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(20_000));
    const m: PrivateManifest = { name: 'fox.txt', multiFile: false, files: [{ path: ['fox.txt'], length: text.length }] };
    const sealed = Buffer.from(await seal(m, [text], keys.content));
    expect(sealed.includes(text.subarray(1000, 1064))).toBe(false);
    expect(sealed.includes(Buffer.from('fox.txt'))).toBe(false);
  });

  it('names a wrong key as such, before reading any file', async () => {
    const sealed = await seal(manifest, files, (await deriveKeys(newLinkKey())).content);
    const other = await deriveKeys(newLinkKey());
    await expect(PrivateShare.open(source(sealed), other.content)).rejects.toMatchObject({ code: 'PRIVATE_KEY_WRONG', message: expect.stringMatching(/key does not open the share/) });
  });

  it('detects one tampered byte, and a record moved to another position', async () => {
    const keys = await deriveKeys(newLinkKey());
    const sealed = await seal(manifest, files, keys.content);
    const tampered = sealed.slice();
    tampered[2 * PIECE_LENGTH_BYTES + 100]! ^= 1;
    const share = await PrivateShare.open(source(tampered), keys.content);
    await expect(share.readFile(0, 0, 1000)).resolves.toHaveLength(1000); // records 0 and 1 are intact
    await expect(share.readFile(0, 2 * RECORD_PLAIN_BYTES, 2 * RECORD_PLAIN_BYTES + 10)).rejects.toMatchObject({ code: 'PRIVATE_RECORD_TAMPERED', message: expect.stringMatching(/Piece 2 .* does not authenticate/) });
    const swapped = sealed.slice();
    swapped.set(sealed.subarray(1 * PIECE_LENGTH_BYTES, 2 * PIECE_LENGTH_BYTES), 2 * PIECE_LENGTH_BYTES);
    const moved = await PrivateShare.open(source(swapped), keys.content);
    await expect(moved.readPlain(2 * RECORD_PLAIN_BYTES, 2 * RECORD_PLAIN_BYTES + 1)).rejects.toMatchObject({ code: 'PRIVATE_RECORD_TAMPERED' });
  });

  it('refuses a ciphertext cut short, whose length no share has, or whose records were sealed for another length', async () => {
    const keys = await deriveKeys(newLinkKey());
    const sealed = await seal(manifest, files, keys.content);
    await expect(PrivateShare.open(source(sealed.subarray(0, sealed.length - 7)), keys.content)).rejects.toMatchObject({ code: expect.stringMatching(/PRIVATE_(SHARE_INVALID|KEY_WRONG)/) });
    // Whole records dropped from the end: the length is a valid one, but record 0 was bound to the full length.
    const cut = sealed.subarray(0, 2 * PIECE_LENGTH_BYTES);
    expect(plainLengthOf(cut.length)).not.toBeNull();
    await expect(PrivateShare.open(source(cut), keys.content)).rejects.toMatchObject({ code: 'PRIVATE_KEY_WRONG' });
    expect(plainLengthOf(PIECE_LENGTH_BYTES + 5)).toBeNull();
    expect(cipherLength(RECORD_PLAIN_BYTES)).toBe(PIECE_LENGTH_BYTES);
  });

  it('carries an expiry in the link as x.tse (whole seconds), and refuses one that is not', () => {
    const hash = '0123456789abcdef0123456789abcdef01234567';
    const link = buildMagnet({ infoHash: hash, expiresAt: 1_800_000_000_500 });
    expect(link).toBe(`magnet:?xt=urn:btih:${hash}&x.tse=1800000000`);
    expect(parseMagnet(link).expiresAt).toBe(1_800_000_000_000);
    expect(() => parseMagnet(`magnet:?xt=urn:btih:${hash}&x.tse=tomorrow`)).toThrow(/expiry \(x\.tse\) must be whole seconds since 1970/);
    expect(buildMagnet({ infoHash: hash, relays: true })).toBe(`magnet:?xt=urn:btih:${hash}&x.tsr=1`);
    expect(parseMagnet(`magnet:?xt=urn:btih:${hash}&x.tsr=1`).relays).toBe(true);
    expect(parseMagnet(`magnet:?xt=urn:btih:${hash}`).relays).toBeUndefined();
  });

  it('carries the key in the link as x.tsk, and names a damaged one', async () => {
    const key = newLinkKey();
    const text = encodeLinkKey(key);
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(decodeLinkKey(text)).toEqual(key);
    const hash = '0123456789abcdef0123456789abcdef01234567';
    const link = buildMagnet({ infoHash: hash, privateKey: text });
    expect(link).toBe(`magnet:?xt=urn:btih:${hash}&x.tsk=${text}`);
    expect(buildMagnet({ infoHash: hash, name: 'tabswarm-private-0123456789abcdef', privateKey: text })).toBe(link); // a private link names nothing
    expect(parseMagnet(link).privateKey).toBe(text);
    expect(() => parseMagnet(link.slice(0, -3))).toThrow(/key is damaged.*Copy the whole link again/);
    expect(() => decodeLinkKey('not a key!')).toThrow(expect.objectContaining({ code: 'PRIVATE_KEY_INVALID' }));
  });
});

describe("a private share's contents list in its torrent's info dictionary", () => {
  it('opens the share with no piece read, the same list and layout as from the first record', async () => {
    const keys = await deriveKeys(newLinkKey());
    const sealed = await seal(manifest, files, keys.content);
    const contents = (await sealContents(keys.content, manifest, plainLengthFor(manifest)))!;
    const reads: number[] = [];
    const fast = await PrivateShare.open(source(sealed, reads), keys.content, contents);
    expect(reads).toEqual([]);
    const slow = await PrivateShare.open(source(sealed), keys.content);
    expect(fast.manifest).toEqual(manifest);
    expect(fast.layout()).toEqual(slow.layout());
    expect(fast.contentOffset).toBe(slow.contentOffset);
    const chunks: Uint8Array[] = [];
    for await (const c of fast.fileChunks(2)) chunks.push(c);
    expect(Buffer.compare(Buffer.concat(chunks), files[2]!)).toBe(0);
  });

  it('names a wrong key, and a changed list, at once, before any piece', async () => {
    const keys = await deriveKeys(newLinkKey());
    const sealed = await seal(manifest, files, keys.content);
    const contents = (await sealContents(keys.content, manifest, plainLengthFor(manifest)))!;
    const reads: number[] = [];
    const other = await deriveKeys(newLinkKey());
    await expect(PrivateShare.open(source(sealed, reads), other.content, contents)).rejects.toMatchObject({ code: 'PRIVATE_KEY_WRONG' });
    const changed = contents.slice();
    changed[5]! ^= 1;
    await expect(PrivateShare.open(source(sealed, reads), keys.content, changed)).rejects.toMatchObject({ code: 'PRIVATE_KEY_WRONG' });
    // Bound to the share's length: a list from a share of another length does not open.
    const longer = { ...manifest, files: [...manifest.files.slice(0, 2), { path: ['notes', 'a é.txt'], length: 778 }] };
    const misfit = (await sealContents(keys.content, longer, plainLengthFor(longer)))!;
    await expect(PrivateShare.open(source(sealed, reads), keys.content, misfit)).rejects.toMatchObject({ code: 'PRIVATE_KEY_WRONG' });
    expect(reads).toEqual([]);
  });

  it('is padded, so its size says little about the files; names never appear; a list too long stays out', async () => {
    const keys = await deriveKeys(newLinkKey());
    const one = (m: PrivateManifest) => sealContents(keys.content, m, plainLengthFor(m));
    const a = (await one({ name: 'a.webm', multiFile: false, files: [{ path: ['a.webm'], length: 10 }] }))!;
    const b = (await one({ name: 'a much longer holiday video name.webm', multiFile: false, files: [{ path: ['a much longer holiday video name.webm'], length: 123_456 }] }))!;
    expect(a.length).toBe(CONTENTS_PAD_BYTES + GCM_TAG_BYTES);
    expect(b.length).toBe(a.length);
    expect(Buffer.from(b).includes(Buffer.from('holiday'))).toBe(false);
    const many: PrivateManifest = { name: 'photos', multiFile: true, files: Array.from({ length: 2_000 }, (_, i) => ({ path: [`photo-${i}.jpg`], length: 1 })) };
    expect(await one(many)).toBeNull();
  });

  it("travels in the torrent's info dictionary, covered by the info hash, and is found there", async () => {
    const keys = await deriveKeys(newLinkKey());
    const sealed = await seal(manifest, files, keys.content);
    const contents = (await sealContents(keys.content, manifest, plainLengthFor(manifest)))!;
    const make = (extraInfo?: Record<string, Uint8Array>) =>
      createTorrent({ name: 'tabswarm-private-0123456789abcdef', multiFile: false, sha1: nodeSha1, files: [{ path: [], length: sealed.length, stream: async function* () { yield sealed; } }], ...(extraInfo ? { extraInfo } : {}) });
    const withList = await make({ [CONTENTS_INFO_KEY]: contents });
    const without = await make();
    expect(sealedContentsOf(withList.metainfo.infoBytes)).toEqual(contents);
    expect(sealedContentsOf(without.metainfo.infoBytes)).toBeNull();
    expect(withList.metainfo.infoHash).not.toBe(without.metainfo.infoHash);
    expect(withList.metainfo.pieceCount).toBe(without.metainfo.pieceCount);
    expect(Object.keys(bdecode(withList.metainfo.infoBytes) as object)).toContain(CONTENTS_INFO_KEY);
    await expect(make({ pieces: contents })).rejects.toMatchObject({ code: 'TORRENT_INVALID' });
  });
});
