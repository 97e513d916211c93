import { describe, expect, it } from 'vitest';
import { buildMagnet, parseMagnet } from '../../shared/magnet.ts';

const HEX = 'c9e15763f722f23e98a29decdfae341b98d53056';
// The same 20 bytes in RFC 4648 base32.
const BASE32 = 'ZHQVOY7XELZD5GFCTXWN7LRUDOMNKMCW';

describe('magnet links', () => {
  it('parses hex and base32 info hashes to the same lower-case hex', () => {
    expect(parseMagnet(`magnet:?xt=urn:btih:${HEX.toUpperCase()}`).infoHash).toBe(HEX);
    expect(parseMagnet(`magnet:?xt=urn:btih:${BASE32}`).infoHash).toBe(HEX);
    expect(parseMagnet(`magnet:?xt=urn:btih:${BASE32.toLowerCase()}`).infoHash).toBe(HEX);
  });

  it('reads dn, repeated tr and ws, in order, each once, and xs when it is a .torrent URL', () => {
    const link = parseMagnet(
      `magnet:?xt=urn:btih:${HEX}&dn=My+file%20%C3%A9.txt&tr=wss%3A%2F%2Fa.example%2Fannounce&tr=ws://b.example&tr.1=wss%3A%2F%2Fa.example%2Fannounce&ws=https%3A%2F%2Fseed.example%2Ff&x.pe=1.2.3.4:5&xs=urn:sha1:ABC&xs=https%3A%2F%2Fseed.example%2Ff.torrent`,
    );
    expect(link).toEqual({
      infoHash: HEX,
      name: 'My file é.txt',
      trackers: ['wss://a.example/announce', 'ws://b.example'],
      webSeeds: ['https://seed.example/f'],
      sources: ['https://seed.example/f.torrent'],
    });
  });

  it('builds a link without trackers or web seeds when none are given', () => {
    const hash = '0123456789abcdef0123456789abcdef01234567';
    expect(buildMagnet({ infoHash: hash, name: 'a b' })).toBe(`magnet:?xt=urn:btih:${hash}&dn=a%20b`);
    expect(parseMagnet(buildMagnet({ infoHash: hash }))).toEqual({ infoHash: hash, trackers: [], webSeeds: [], sources: [] });
  });

  it('round-trips through buildMagnet', () => {
    const link = { infoHash: HEX, name: 'a & b = c?', trackers: ['ws://localhost:8080'], webSeeds: ['http://localhost:8080/files/x/'], sources: ['http://localhost:8080/store/x/torrent'] };
    expect(parseMagnet(buildMagnet(link))).toEqual(link);
  });

  it.each([
    ['http://example.com', /must start with "magnet:\?"/],
    ['magnet:?dn=x', /no "xt=urn:btih:"/],
    ['magnet:?xt=urn:btih:1234', /40 hex digits or 32 base32/],
    [`magnet:?xt=urn:btih:${'g'.repeat(40)}`, /40 hex digits or 32 base32/],
    [`magnet:?xt=urn:btih:${'1'.repeat(32)}`, /40 hex digits or 32 base32/],
    [`magnet:?xt=urn:btih:${HEX}&tr=not a url`, /tracker "not a url" is not a URL/],
    [`magnet:?xt=urn:btih:${HEX}&tr=ftp%3A%2F%2Fx`, /must use ws: wss:/],
    [`magnet:?xt=urn:btih:${HEX}&dn=%E0%A4%A`, /not valid percent-encoding/],
    [`magnet:?xt=urn:btih:${HEX}&xt=urn:btih:${'0'.repeat(40)}`, /two different/],
    [`magnet:?xt=urn:btih:${HEX}&novalue`, /not a key=value/],
  ])('refuses %s with a clear error', (uri, message) => {
    expect(() => parseMagnet(uri)).toThrow(message);
    try {
      parseMagnet(uri);
    } catch (err) {
      expect(err).toMatchObject({ code: 'MAGNET_INVALID' });
    }
  });

  it('ignores a v2 btmh alongside the v1 btih', () => {
    expect(parseMagnet(`magnet:?xt=urn:btmh:1220abcd&xt=urn:btih:${HEX}`).infoHash).toBe(HEX);
  });
});
