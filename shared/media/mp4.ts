/**
 * Just enough of the ISO base media file format (MP4) to stream a *fragmented* MP4 through
 * MediaSource: the initialization segment (ftyp + moov, with mvex saying fragments follow), the
 * codecs MediaSource must be told (from each track's sample entry), the duration, and where each
 * fragment (moof) starts and at what time (its tfdt). A plain MP4 keeps its sample tables in one
 * moov and cannot be appended piecewise; it is refused here (the player then plays it once complete).
 */
import { readUint32BE, toBinaryString } from '../bytes.ts';

export interface Mp4Header {
  /** e.g. `video/mp4; codecs="avc1.64001f, mp4a.40.2"`. */
  mime: string;
  /** Seconds, when the file says (mehd, or mvhd of a file whose fragments were counted). */
  durationSeconds: number | null;
  /** Byte offset just after the moov box: the first fragment starts at or after it. */
  firstFragmentOffset: number;
  /** Timescale (ticks per second) of each track, by track id: a fragment's time is in its track's. */
  timescales: Record<number, number>;
}

export interface FragmentStart {
  offset: number;
  seconds: number;
}

interface Box {
  type: string;
  start: number;
  /** Where the box's content starts (after its size and type, and a 64-bit size if any). */
  body: number;
  end: number;
}

const text = (b: Uint8Array, at: number, n: number) => toBinaryString(b.subarray(at, at + n));
const u64 = (b: Uint8Array, at: number) => readUint32BE(b, at) * 2 ** 32 + readUint32BE(b, at + 4);
const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** The boxes laid end to end in b[from, to); stops at one that does not fit (a file cut short). */
function boxes(b: Uint8Array, from: number, to: number): Box[] {
  const out: Box[] = [];
  for (let at = from; at + 8 <= to; ) {
    let size = readUint32BE(b, at);
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > to) break;
      size = u64(b, at + 8);
      body = at + 16;
    } else if (size === 0) {
      size = to - at; // to the end
    }
    if (size < body - at || at + size > to) break;
    out.push({ type: text(b, at + 4, 4), start: at, body, end: at + size });
    at += size;
  }
  return out;
}

const child = (b: Uint8Array, box: Box, type: string, skip = 0) => boxes(b, box.body + skip, box.end).find((c) => c.type === type);

/** A track's codec string for MediaSource, from its sample entry; null for one we cannot name. */
function codecOf(b: Uint8Array, entry: Box): string | null {
  // Visual sample entries have 78 bytes before their child boxes, audio ones 28.
  switch (entry.type) {
    case 'avc1':
    case 'avc3': {
      const avcC = child(b, entry, 'avcC', 78);
      return avcC ? `${entry.type}.${hex2(b[avcC.body + 1]!)}${hex2(b[avcC.body + 2]!)}${hex2(b[avcC.body + 3]!)}` : null;
    }
    case 'vp09': {
      const vpcC = child(b, entry, 'vpcC', 78);
      if (!vpcC) return null;
      // Full box (4 bytes of version and flags), then profile, level, bit depth in the top 4 bits.
      const p = vpcC.body + 4;
      return `vp09.${String(b[p]!).padStart(2, '0')}.${String(b[p + 1]!).padStart(2, '0')}.${String(b[p + 2]! >> 4).padStart(2, '0')}`;
    }
    case 'mp4a': {
      const esds = child(b, entry, 'esds', 28);
      if (!esds) return null;
      // ES_Descriptor → DecoderConfigDescriptor (tag 4): objectTypeIndication; → DecoderSpecificInfo (tag 5): audioObjectType in its top 5 bits.
      const d = b.subarray(esds.body + 4, esds.end);
      const find = (tag: number, from: number): number => {
        for (let i = from; i < d.length - 1; i++) if (d[i] === tag) return i;
        return -1;
      };
      const afterLength = (i: number) => {
        let j = i + 1;
        while (j < d.length && d[j]! & 0x80) j++;
        return j + 1;
      };
      const dcd = find(4, 0);
      if (dcd < 0) return null;
      const oti = d[afterLength(dcd)]!;
      const dsi = find(5, afterLength(dcd) + 13);
      const aot = dsi >= 0 ? d[afterLength(dsi)]! >> 3 : 2;
      return `mp4a.${hex2(oti)}.${aot}`;
    }
    case 'Opus':
      return 'opus';
    case 'fLaC':
      return 'flac';
    default:
      return null;
  }
}

/**
 * The header of a fragmented MP4 from the file's first bytes (which must hold all of moov), or null:
 * not an MP4, moov not within `head`, not fragmented (no mvex), or a codec we cannot name.
 */
export function readMp4Header(head: Uint8Array): Mp4Header | null {
  const top = boxes(head, 0, head.length);
  if (top[0]?.type !== 'ftyp') return null;
  const moov = top.find((x) => x.type === 'moov');
  if (!moov) return null;
  const mvex = child(head, moov, 'mvex');
  if (!mvex) return null; // a plain MP4: its samples are indexed in moov, not in fragments
  const codecs: string[] = [];
  const timescales: Record<number, number> = {};
  let kind: 'video' | 'audio' = 'audio';
  for (const trak of boxes(head, moov.body, moov.end).filter((x) => x.type === 'trak')) {
    const tkhd = child(head, trak, 'tkhd');
    const mdia = child(head, trak, 'mdia');
    const mdhd = mdia && child(head, mdia, 'mdhd');
    const hdlr = mdia && child(head, mdia, 'hdlr');
    const stbl = mdia && (() => { const minf = child(head, mdia, 'minf'); return minf && child(head, minf, 'stbl'); })();
    const stsd = stbl && child(head, stbl, 'stsd');
    if (!tkhd || !mdhd || !hdlr || !stsd) return null;
    const handler = text(head, hdlr.body + 8, 4);
    if (handler !== 'vide' && handler !== 'soun') continue; // subtitles, chapters: not for MediaSource
    if (handler === 'vide') kind = 'video';
    const trackId = readUint32BE(head, tkhd.body + (head[tkhd.body] === 1 ? 20 : 12));
    timescales[trackId] = readUint32BE(head, mdhd.body + (head[mdhd.body] === 1 ? 20 : 12));
    const entry = boxes(head, stsd.body + 8, stsd.end)[0];
    const codec = entry && codecOf(head, entry);
    if (!codec) return null;
    codecs.push(codec);
  }
  if (codecs.length === 0) return null;
  let durationSeconds: number | null = null;
  const mvhd = child(head, moov, 'mvhd');
  const mehd = child(head, mvex, 'mehd');
  if (mvhd) {
    const v1 = head[mvhd.body] === 1;
    const timescale = readUint32BE(head, mvhd.body + (v1 ? 20 : 12));
    const ticks = mehd ? (head[mehd.body] === 1 ? u64(head, mehd.body + 4) : readUint32BE(head, mehd.body + 4)) : v1 ? u64(head, mvhd.body + 24) : readUint32BE(head, mvhd.body + 16);
    if (timescale > 0 && ticks > 0) durationSeconds = ticks / timescale;
  }
  return { mime: `${kind}/mp4; codecs="${codecs.join(', ')}"`, durationSeconds, firstFragmentOffset: moov.end, timescales };
}

/**
 * Fragments (moof boxes) that start inside `window` (the file's bytes from `windowOffset`), with
 * their start times: found by their shape (a moof whose first child is its mfhd), so a window may
 * begin anywhere in the file. Only fragments wholly inside the window are read.
 */
export function findFragments(window: Uint8Array, windowOffset: number, timescales: Record<number, number>): FragmentStart[] {
  const out: FragmentStart[] = [];
  for (let i = 0; i + 24 <= window.length; i++) {
    if (window[i + 4] !== 0x6d || text(window, i + 4, 4) !== 'moof' || text(window, i + 12, 4) !== 'mfhd') continue;
    const size = readUint32BE(window, i);
    if (size < 24 || i + size > window.length) continue;
    const moof: Box = { type: 'moof', start: i, body: i + 8, end: i + size };
    const traf = child(window, moof, 'traf');
    const tfhd = traf && child(window, traf, 'tfhd');
    const tfdt = traf && child(window, traf, 'tfdt');
    if (!tfhd || !tfdt) continue;
    const timescale = timescales[readUint32BE(window, tfhd.body + 4)];
    if (!timescale) continue;
    const ticks = window[tfdt.body] === 1 ? u64(window, tfdt.body + 4) : readUint32BE(window, tfdt.body + 4);
    out.push({ offset: windowOffset + i, seconds: ticks / timescale });
    i += size - 1;
  }
  return out;
}
