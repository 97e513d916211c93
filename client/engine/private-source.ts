/**
 * A private share's ciphertext as its torrent holds it: the torrent's one file, read through a
 * FileStream, so a read waits for (and makes urgent) the pieces under it while they download. What
 * PrivateShare opens, in a tab's stream and in the command line's save alike.
 */
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import type { CipherSource, PrivateShare } from '../../shared/private/open.ts';
import { FileStream, type StreamedTorrent } from './file-stream.ts';

export function torrentCipherSource(torrent: StreamedTorrent, meta: Metainfo): CipherSource & { close(): void } {
  if (meta.files.length !== 1) throw new TabswarmError('PRIVATE_SHARE_INVALID', `This link carries a private key, but its torrent holds ${meta.files.length} files; a private share's torrent holds one sealed file. The link was made for another torrent.`);
  const stream = new FileStream(torrent, meta, 0);
  const present = (offset: number, length: number) => stream.piecesOf(offset, offset + length).every((i) => torrent.hasPiece(i));
  return {
    length: stream.length,
    // Pieces already here are read as they are: a stream reading through decryptingTorrent has made
    // its own window urgent, which a read here must not replace.
    read: async (offset, length) => {
      if (!present(offset, length)) return stream.read(offset, offset + length);
      const index = Math.floor(offset / meta.pieceLength);
      if (Math.floor((offset + length - 1) / meta.pieceLength) === index) return torrent.readPiece(index, offset - index * meta.pieceLength, length);
      return stream.read(offset, offset + length);
    },
    close: () => stream.close(),
  };
}

/**
 * A private share seen as a torrent of its plaintext: the layout's piece i is the torrent's piece i,
 * so waiting for, making urgent and counting pieces pass through, and reading one decrypts its
 * record. A FileStream over this streams a private file as it streams any other.
 */
export function decryptingTorrent(torrent: StreamedTorrent, share: PrivateShare): StreamedTorrent {
  return {
    setUrgent: (pieces) => torrent.setUrgent(pieces),
    hasPiece: (i) => torrent.hasPiece(i),
    on: torrent.on.bind(torrent) as StreamedTorrent['on'],
    downloadRate: () => torrent.downloadRate(),
    async readPiece(index, begin, length) {
      const plain = await share.readRecord(index);
      return plain.subarray(begin, begin + length);
    },
  };
}
