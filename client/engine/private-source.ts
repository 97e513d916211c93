/**
 * A private share's ciphertext as its torrent holds it: the torrent's one file, read through a
 * FileStream, so a read waits for (and makes urgent) the pieces under it while they download. What
 * PrivateShare opens, in a tab's stream and in the command line's save alike.
 */
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import type { CipherSource } from '../../shared/private/open.ts';
import { FileStream, type StreamedTorrent } from './file-stream.ts';

export function torrentCipherSource(torrent: StreamedTorrent, meta: Metainfo): CipherSource & { close(): void } {
  if (meta.files.length !== 1) throw new TabswarmError('PRIVATE_SHARE_INVALID', `This link carries a private key, but its torrent holds ${meta.files.length} files; a private share's torrent holds one sealed file. The link was made for another torrent.`);
  const stream = new FileStream(torrent, meta, 0);
  return { length: stream.length, read: (offset, length) => stream.read(offset, offset + length), close: () => stream.close() };
}
