/**
 * The fragmented-MP4 reader MediaSource streaming relies on (on sites where no service worker can
 * run), against real files made by Debian's ffmpeg: the type string with codecs, where the first
 * fragment starts, each fragment with its start time found by scanning any window of bytes, and
 * a plain MP4 (one moov indexing every sample) refused, as MediaSource cannot take it piecewise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findFragments, readMp4Header } from '../../shared/media/mp4.ts';

const dir = mkdtempSync(join(tmpdir(), 'tabswarm-mp4-'));
const SECONDS = 12;
const FRAGMENTED = ['-movflags', 'frag_keyframe+empty_moov+default_base_moof'];

function make(name: string, args: string[]): Uint8Array {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=duration=${SECONDS}:size=160x120:rate=25`, '-f', 'lavfi', '-i', `sine=duration=${SECONDS}`, '-g', '25', ...args, '-shortest', path]);
  return new Uint8Array(readFileSync(path));
}

let vp9: Uint8Array;
let h264: Uint8Array;
let plain: Uint8Array;
beforeAll(() => {
  vp9 = make('vp9.mp4', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus', ...FRAGMENTED]);
  h264 = make('h264.mp4', ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-c:a', 'aac', ...FRAGMENTED]);
  plain = make('plain.mp4', ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac']);
}, 60_000);

describe('fragmented MP4 header', () => {
  it('names VP9 + Opus and H.264 (High) + AAC-LC as MediaSource wants them, with each track\'s timescale', () => {
    const v = readMp4Header(vp9)!;
    expect(v.mime).toMatch(/^video\/mp4; codecs="vp09\.00\.\d\d\.08, opus"$/);
    const h = readMp4Header(h264)!;
    expect(h.mime).toMatch(/^video\/mp4; codecs="avc1\.6400[0-9a-f]{2}, mp4a\.40\.2"$/);
    expect(Object.values(h.timescales)).toHaveLength(2);
    // The first fragment follows moov directly.
    expect(String.fromCharCode(...h264.subarray(h.firstFragmentOffset + 4, h.firstFragmentOffset + 8))).toBe('moof');
  });

  it('is null for a plain MP4, for a head cut inside moov, and for what is not an MP4', () => {
    expect(readMp4Header(plain)).toBeNull();
    const h = readMp4Header(h264)!;
    expect(readMp4Header(h264.subarray(0, h.firstFragmentOffset - 10))).toBeNull();
    expect(readMp4Header(h264.subarray(0, h.firstFragmentOffset + 8))).toEqual(h);
    expect(readMp4Header(new Uint8Array(64))).toBeNull();
  });
});

describe('fragments', () => {
  it('finds every fragment with its start time in any window, one per keyframe interval (1 s here)', () => {
    for (const file of [vp9, h264]) {
      const h = readMp4Header(file)!;
      const all = findFragments(file, 0, h.timescales);
      expect(all[0]!.offset).toBe(h.firstFragmentOffset);
      expect(all.length).toBeGreaterThanOrEqual(SECONDS - 1);
      for (let i = 1; i < all.length; i++) expect(all[i]!.seconds).toBeGreaterThan(all[i - 1]!.seconds);
      expect(all.at(-1)!.seconds).toBeGreaterThan(SECONDS - 2);
      // A window starting mid-file, anywhere: the same fragments from there on, at the same offsets.
      const from = Math.floor(file.length / 3) + 7;
      const later = findFragments(file.subarray(from), from, h.timescales);
      expect(later).toEqual(all.filter((f) => f.offset >= from));
    }
  });
});
