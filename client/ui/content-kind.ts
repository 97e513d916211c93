/**
 * How a file from a torrent may be shown inline. Only inert kinds: images, audio and video through
 * their elements, and text as text. HTML and SVG are text here: content from strangers never runs
 * as script in our origin or an embedding site.
 */
export type ContentKind = 'image' | 'audio' | 'video' | 'text' | 'none';

const KINDS: Record<string, { kind: ContentKind; mime: string }> = {
  png: { kind: 'image', mime: 'image/png' },
  jpg: { kind: 'image', mime: 'image/jpeg' },
  jpeg: { kind: 'image', mime: 'image/jpeg' },
  gif: { kind: 'image', mime: 'image/gif' },
  webp: { kind: 'image', mime: 'image/webp' },
  avif: { kind: 'image', mime: 'image/avif' },
  bmp: { kind: 'image', mime: 'image/bmp' },
  mp3: { kind: 'audio', mime: 'audio/mpeg' },
  ogg: { kind: 'audio', mime: 'audio/ogg' },
  wav: { kind: 'audio', mime: 'audio/wav' },
  flac: { kind: 'audio', mime: 'audio/flac' },
  m4a: { kind: 'audio', mime: 'audio/mp4' },
  mp4: { kind: 'video', mime: 'video/mp4' },
  webm: { kind: 'video', mime: 'video/webm' },
  txt: { kind: 'text', mime: 'text/plain' },
  md: { kind: 'text', mime: 'text/plain' },
  json: { kind: 'text', mime: 'text/plain' },
  csv: { kind: 'text', mime: 'text/plain' },
  log: { kind: 'text', mime: 'text/plain' },
  xml: { kind: 'text', mime: 'text/plain' },
  html: { kind: 'text', mime: 'text/plain' },
  htm: { kind: 'text', mime: 'text/plain' },
  svg: { kind: 'text', mime: 'text/plain' },
  js: { kind: 'text', mime: 'text/plain' },
  css: { kind: 'text', mime: 'text/plain' },
};

/** Text beyond this is cut in the preview (the Save button gives the whole file). */
export const TEXT_PREVIEW_BYTES = 256 * 1024;

export function contentKind(name: string): { kind: ContentKind; mime: string } {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return KINDS[ext] ?? { kind: 'none', mime: 'application/octet-stream' };
}
