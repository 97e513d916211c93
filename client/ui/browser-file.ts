import type { CreateInputFile } from '../../shared/metainfo/index.ts';

/** A File's bytes as an async iterable (reader-based: works where ReadableStream is not yet iterable). */
async function* readFile(file: Blob): AsyncIterable<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** A picked or dropped file as input to `createTorrent`; `webkitRelativePath` gives folder structure. */
export function browserInputFile(file: File): CreateInputFile {
  const relative = file.webkitRelativePath ? file.webkitRelativePath.split('/').slice(1) : [file.name];
  return { path: relative, length: file.size, stream: () => readFile(file) };
}
