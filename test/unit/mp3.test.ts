/**
 * The MP3 reader MediaSource streaming relies on (on sites where no service worker can run), against
 * real files made by Debian's ffmpeg (LAME): constant and variable bitrate, MPEG-1 and MPEG-2, with
 * an ID3v2 tag in front: the duration, where the audio frames start, and every frame found with its
 * time in any window of bytes — the points a seek resumes appending from.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findMp3Frames, readMp3Header } from '../../shared/media/mp3.ts';

const dir = mkdtempSync(join(tmpdir(), 'tabswarm-mp3-'));
const SECONDS = 20;

function make(name: string, args: string[]): Uint8Array {
  const path = join(dir, name);
  // A chirp, so a variable-bitrate encoder really varies its frames.
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=sin(2*PI*(200+40*t)*t)*(0.2+0.8*mod(t\\,3)/3):s=44100:d=${SECONDS}`, '-metadata', 'title=Lecture', ...args, path]);
  return new Uint8Array(readFileSync(path));
}

let cbr: Uint8Array;
let vbr: Uint8Array;
let mpeg2: Uint8Array;
beforeAll(() => {
  cbr = make('cbr.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k']);
  vbr = make('vbr.mp3', ['-c:a', 'libmp3lame', '-q:a', '2']);
  mpeg2 = make('mpeg2.mp3', ['-c:a', 'libmp3lame', '-ar', '22050', '-ac', '1', '-b:a', '32k']);
}, 60_000);

/** Every frame of the file, walked from its first. */
const allFrames = (file: Uint8Array) => findMp3Frames(file, 0, readMp3Header(file, file.length)!);

describe('MP3 header', () => {
  it('finds the first audio frame behind the ID3v2 tag and the Xing/Info frame, and the duration', () => {
    for (const [file, sampleRate] of [[cbr, 44_100], [vbr, 44_100], [mpeg2, 22_050]] as const) {
      const h = readMp3Header(file, file.length)!;
      expect(h.mime).toBe('audio/mpeg');
      expect(h.sampleRate).toBe(sampleRate);
      // ID3v2 first ("ID3"), then the frame holding the Xing/Info header, then audio.
      expect(String.fromCharCode(...file.subarray(0, 3))).toBe('ID3');
      expect(h.firstFrameOffset).toBeGreaterThan(10);
      expect(file[h.firstFrameOffset]).toBe(0xff);
      // LAME adds under a frame of padding at each end.
      expect(h.durationSeconds!).toBeGreaterThan(SECONDS - 0.01);
      expect(h.durationSeconds!).toBeLessThan(SECONDS + 0.1);
    }
    expect(readMp3Header(vbr, vbr.length)!.toc).not.toBeNull();
    expect(readMp3Header(cbr, cbr.length)!.toc).toBeNull();
  });

  it('is not found in bytes that are not MP3', () => {
    expect(readMp3Header(new Uint8Array(4096).fill(0x1a), 4096)).toBeNull();
    const noise = new Uint8Array(64 * 1024);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    expect(readMp3Header(noise, noise.length)).toBeNull();
  });
});

describe('MP3 frames in a window', () => {
  it('walks every frame from the first to the end, each at its time', () => {
    for (const file of [cbr, vbr, mpeg2]) {
      const h = readMp3Header(file, file.length)!;
      const frames = allFrames(file);
      const samplesPerFrame = h.sampleRate === 44_100 ? 1152 : 576;
      // The frames cover the duration (one frame of slack at the end).
      expect(Math.abs(frames.length - Math.round((h.durationSeconds! * h.sampleRate) / samplesPerFrame))).toBeLessThanOrEqual(1);
      expect(frames[0]).toEqual({ offset: h.firstFrameOffset, seconds: 0 });
      // Each frame's time from its byte offset: exact for constant bitrate (within a frame), through the Xing table for variable.
      const slack = h.toc ? 0.25 : 0.03;
      frames.forEach((f, k) => expect(Math.abs(f.seconds - (k * samplesPerFrame) / h.sampleRate)).toBeLessThan(slack));
    }
  });

  it('finds the same frames in a window that starts anywhere (a seek): a sync word inside audio data is not taken for a frame', () => {
    for (const file of [cbr, vbr, mpeg2]) {
      const h = readMp3Header(file, file.length)!;
      const truth = allFrames(file).map((f) => f.offset);
      for (const from of [1_234, 20_001, Math.floor(file.length / 2) + 7, file.length - 5_000]) {
        const found = findMp3Frames(file.subarray(from, from + 64 * 1024), from, h).map((f) => f.offset);
        expect(found.length).toBeGreaterThan(0);
        expect(found).toEqual(truth.filter((o) => o >= found[0]! && o <= found[found.length - 1]!));
        // The first frame found is the first that starts in the window.
        expect(found[0]).toBe(truth.find((o) => o >= from));
      }
    }
  });
});

describe('what the MediaSource player appends at a time', () => {
  it('is about 4 s of the media, between 64 KiB and two pieces: an MP3 at 128 kbit/s does not wait for half a minute of it', async () => {
    const { appendChunkBytes, APPEND_CHUNK_BYTES, APPEND_CHUNK_MIN_BYTES } = await import('../../client/browser/media-source-player.ts');
    const h = readMp3Header(cbr, cbr.length)!;
    // 128 kbit/s is 16,000 bytes a second.
    expect(appendChunkBytes(cbr.length, h.durationSeconds)).toBe(APPEND_CHUNK_MIN_BYTES);
    expect(appendChunkBytes(320_000 / 8 * 600, 600)).toBe(160_000);
    // Video at 8 Mbit/s, or a duration not known: two pieces.
    expect(appendChunkBytes(64 * 2 ** 20, 67)).toBe(APPEND_CHUNK_BYTES);
    expect(appendChunkBytes(64 * 2 ** 20, null)).toBe(APPEND_CHUNK_BYTES);
  });

  it('names the formats it streams as the widget tells a person, and picks MP3 by file name', async () => {
    const { MEDIA_SOURCE_FORMATS, mediaSourceContainer } = await import('../../client/browser/media-source-player.ts');
    expect(MEDIA_SOURCE_FORMATS).toBe('WebM, fragmented MP4 and MP3');
    expect(mediaSourceContainer('Lecture.MP3')?.label).toBe('MP3');
    expect(mediaSourceContainer('lecture.ogg')).toBeNull();
  });
});
