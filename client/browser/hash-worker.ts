/**
 * Off the main thread: hash dropped files into a torrent, then copy their pieces into IndexedDB so
 * the tab can seed them (and still can after a reload). Messages: in, a `CreateRequest`; out,
 * `progress` events and one `done` (the .torrent bytes) or `error`.
 */
import { TabswarmError } from '../../shared/errors.ts';
import { createTorrent } from '../../shared/metainfo/create.ts';
import { pieceSize } from '../../shared/metainfo/types.ts';
import { defaultSha1 } from '../../shared/sha1.ts';
import { Bitfield } from '../../shared/bitfield.ts';
import { IdbStore } from './idb-store.ts';
import { blobChunks } from './blob-chunks.ts';

export interface CreateRequest {
  files: Array<{ file: File; path: string[] }>;
  name: string;
  multiFile: boolean;
  announce: string[];
  /** More info-dictionary keys (a private share's sealed contents list). */
  extraInfo?: Record<string, Uint8Array>;
}

export type CreateReply =
  | { type: 'progress'; phase: 'hashing' | 'storing'; done: number; total: number }
  | { type: 'done'; torrentBytes: Uint8Array }
  | { type: 'error'; code: string; message: string };

const post = (reply: CreateReply) => (self as unknown as Worker).postMessage(reply);

self.onmessage = async (event: MessageEvent<CreateRequest>) => {
  const req = event.data;
  try {
    const { torrentBytes, metainfo } = await createTorrent({
      name: req.name,
      multiFile: req.multiFile,
      announce: req.announce,
      ...(req.extraInfo ? { extraInfo: req.extraInfo } : {}),
      createdBy: 'Tabswarm',
      creationDate: Math.floor(Date.now() / 1000),
      sha1: defaultSha1(),
      files: req.files.map(({ file, path }) => ({ path, length: file.size, stream: () => blobChunks(file) })),
      onProgress: (done, total) => post({ type: 'progress', phase: 'hashing', done, total }),
    });
    // Pieces run across files: one Blob of all files in torrent order, sliced per piece.
    const byPath = new Map(req.files.map((f) => [f.path.join('/'), f.file]));
    const all = new Blob(metainfo.files.map((f) => byPath.get(f.path.join('/'))!));
    const store = new IdbStore(metainfo);
    const have = new Bitfield(metainfo.pieceCount);
    for (let i = 0; i < metainfo.pieceCount; i++) {
      const start = i * metainfo.pieceLength;
      await store.write(i, new Uint8Array(await all.slice(start, start + pieceSize(metainfo, i)).arrayBuffer()));
      have.set(i);
      post({ type: 'progress', phase: 'storing', done: Math.min(metainfo.length, start + metainfo.pieceLength), total: metainfo.length });
    }
    await store.saveCompletion(have.bytes);
    post({ type: 'done', torrentBytes });
  } catch (err) {
    const e = err instanceof TabswarmError ? err : new TabswarmError('INPUT_UNREADABLE', `Could not read the files: ${String(err)}`);
    post({ type: 'error', code: e.code, message: e.message });
  }
};
