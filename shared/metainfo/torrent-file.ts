import { bencodeBytes } from '../bencode.ts';
import { concatBytes, utf8 } from '../bytes.ts';

/**
 * A `.torrent` file around existing info bytes. Built by concatenation so the info dictionary
 * stays byte for byte what it was (its hash is the torrent's identity); keys in bencode order.
 */
export function encodeTorrentFile(infoBytes: Uint8Array, announce: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [utf8('d')];
  if (announce.length > 0) parts.push(bencodeBytes('announce'), bencodeBytes(announce[0]));
  if (announce.length > 1) parts.push(bencodeBytes('announce-list'), bencodeBytes(announce.map((a) => [a])));
  parts.push(bencodeBytes('info'), infoBytes, utf8('e'));
  return concatBytes(parts);
}
