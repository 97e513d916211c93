/**
 * Just enough of MPEG audio (MP3: MPEG-1, 2 and 2.5 Layer III) to stream a file through MediaSource:
 * where the audio frames start (after an ID3v2 tag), the duration (from a Xing/Info header's frame
 * count, else from the bitrate), and where frames start in any window of the file with the time each
 * begins at — the points a seek can resume appending from. MP3 frames carry no timestamps, so a
 * frame's time comes from its byte offset: exact for constant bitrate, and through the Xing table of
 * contents (100 points of bytes against time) for variable bitrate.
 */
import { readUint32BE, toBinaryString } from '../bytes.ts';

export interface Mp3Header {
  mime: 'audio/mpeg';
  durationSeconds: number | null;
  /** The first audio frame (after the ID3v2 tag and a Xing/Info frame, which holds no audio). */
  firstFrameOffset: number;
  /** Where the audio frames end (an ID3v1 tag may follow). */
  audioEnd: number;
  sampleRate: number;
  /** Xing's table of contents: entry i is the byte position (of 256 parts of the audio) at i % of the duration. */
  toc: Uint8Array | null;
}

export interface FrameStart {
  offset: number;
  seconds: number;
}

interface Frame {
  /** 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5. */
  version: number;
  sampleRate: number;
  bitrateKbps: number;
  samples: number;
  length: number;
  mono: boolean;
}

const BITRATES_KBPS = {
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, number[]> = { 3: [44_100, 48_000, 32_000], 2: [22_050, 24_000, 16_000], 0: [11_025, 12_000, 8_000] };
/** Frames in a row that must chain (each where the last one's length says) before a sync word found in a window is believed. */
const CHAIN_TO_BELIEVE = 3;
/** Where to look for the first frame after the ID3v2 tag: encoders may pad a little. */
const FIRST_FRAME_SEARCH_BYTES = 64 * 1024;

/** The Layer III frame whose header is at b[at], or null (no sync word, a reserved field, a free-format bitrate). */
function frameAt(b: Uint8Array, at: number): Frame | null {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return null;
  const version = (b[at + 1]! >> 3) & 3;
  const layer = (b[at + 1]! >> 1) & 3;
  const bitrateIndex = b[at + 2]! >> 4;
  const rateIndex = (b[at + 2]! >> 2) & 3;
  if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const bitrateKbps = (version === 3 ? BITRATES_KBPS.v1 : BITRATES_KBPS.v2)[bitrateIndex]!;
  const sampleRate = SAMPLE_RATES[version]![rateIndex]!;
  const samples = version === 3 ? 1152 : 576;
  const padding = (b[at + 2]! >> 1) & 1;
  const length = Math.floor(((samples / 8) * bitrateKbps * 1000) / sampleRate) + padding;
  return { version, sampleRate, bitrateKbps, samples, length, mono: b[at + 3]! >> 6 === 3 };
}

/** Whether CHAIN_TO_BELIEVE frames of one stream chain from b[at] (or run to the window's end). */
function chainsFrom(b: Uint8Array, at: number): boolean {
  const first = frameAt(b, at);
  if (!first) return false;
  let next = at + first.length;
  for (let k = 1; k < CHAIN_TO_BELIEVE; k++) {
    if (next + 4 > b.length) return true; // the window ends: as far as it shows, the chain holds
    const f = frameAt(b, next);
    if (!f || f.version !== first.version || f.sampleRate !== first.sampleRate) return false;
    next += f.length;
  }
  return true;
}

/** The length of an ID3v2 tag at the start (0 if none): ten bytes of header and a synchsafe size. */
function id3v2Length(b: Uint8Array): number {
  if (b.length < 10 || b[0] !== 0x49 || b[1] !== 0x44 || b[2] !== 0x33) return 0;
  const size = ((b[6]! & 0x7f) << 21) | ((b[7]! & 0x7f) << 14) | ((b[8]! & 0x7f) << 7) | (b[9]! & 0x7f);
  const footer = b[5]! & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/** Reads the header from the file's first bytes (`length`: the whole file's). Null if this is not MP3 (or too little of it is here). */
export function readMp3Header(head: Uint8Array, length: number): Mp3Header | null {
  const tag = id3v2Length(head);
  let at = tag;
  const limit = Math.min(head.length - 4, tag + FIRST_FRAME_SEARCH_BYTES);
  while (at <= limit && !chainsFrom(head, at)) at++;
  if (at > limit) return null;
  const first = frameAt(head, at)!;
  // An ID3v1 tag (128 bytes, "TAG") may end the file; it cannot be seen from the head, so it is
  // assumed absent: a seek's time estimate is then off by 128 bytes' worth, a few milliseconds.
  const audioEnd = length;
  // A Xing ("Xing": variable bitrate; "Info": constant) frame sits after the side information.
  const sideInfo = first.version === 3 ? (first.mono ? 17 : 32) : first.mono ? 9 : 17;
  const x = at + 4 + sideInfo;
  const xingTag = x + 8 <= head.length ? toBinaryString(head.subarray(x, x + 4)) : '';
  let durationSeconds: number | null = null;
  let toc: Uint8Array | null = null;
  let firstFrameOffset = at;
  if (xingTag === 'Xing' || xingTag === 'Info') {
    const flags = head[x + 7]!;
    let p = x + 8;
    if (flags & 1 && p + 4 <= head.length) {
      durationSeconds = (readUint32BE(head, p) * first.samples) / first.sampleRate;
      p += 4;
    }
    if (flags & 2) p += 4;
    if (flags & 4 && p + 100 <= head.length && xingTag === 'Xing') toc = head.slice(p, p + 100);
    firstFrameOffset = at + first.length;
  }
  if (durationSeconds === null) durationSeconds = ((audioEnd - firstFrameOffset) * 8) / (first.bitrateKbps * 1000);
  return { mime: 'audio/mpeg', durationSeconds, firstFrameOffset, audioEnd, sampleRate: first.sampleRate, toc };
}

/** The time at which the audio at byte `offset` plays: proportional for constant bitrate, through the Xing table for variable. */
export function mp3SecondsAt(h: Mp3Header, offset: number): number {
  const span = h.audioEnd - h.firstFrameOffset;
  const duration = h.durationSeconds ?? 0;
  if (span <= 0 || duration <= 0) return 0;
  const fraction = Math.min(1, Math.max(0, (offset - h.firstFrameOffset) / span));
  if (!h.toc) return fraction * duration;
  // Invert the table: find the percent whose byte position brackets this one, and interpolate.
  const pos = fraction * 256;
  for (let i = 0; i < 100; i++) {
    const lo = h.toc[i]!;
    const hi = i === 99 ? 256 : h.toc[i + 1]!;
    if (pos <= hi || i === 99) {
      const within = hi > lo ? Math.min(1, Math.max(0, (pos - lo) / (hi - lo))) : 0;
      return ((i + within) / 100) * duration;
    }
  }
  return duration;
}

/** Frames starting in `window` (the file's bytes from `windowOffset`), with the times they play at. */
export function findMp3Frames(window: Uint8Array, windowOffset: number, h: Mp3Header): FrameStart[] {
  const out: FrameStart[] = [];
  let at = Math.max(0, h.firstFrameOffset - windowOffset);
  // Find the first frame the window shows (a sync word inside audio data does not chain), then walk.
  while (at + 4 <= window.length && !chainsFrom(window, at)) at++;
  while (at + 4 <= window.length && windowOffset + at < h.audioEnd) {
    const f = frameAt(window, at);
    if (!f || f.sampleRate !== h.sampleRate) break;
    out.push({ offset: windowOffset + at, seconds: mp3SecondsAt(h, windowOffset + at) });
    at += f.length;
  }
  return out;
}
