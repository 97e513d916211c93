/**
 * The WebM reader MediaSource streaming relies on, against real files made by Debian's ffmpeg
 * (`npm test` installs it): the type string with codecs, the duration, where the first Cluster
 * starts, and every Cluster with its start time found by scanning any window of bytes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findClusters, isWebm, readWebmHeader } from '../../shared/media/webm.ts';

const dir = mkdtempSync(join(tmpdir(), 'tabswarm-webm-'));
const SECONDS = 12;

function make(name: string, args: string[]): Uint8Array {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args, path]);
  return new Uint8Array(readFileSync(path));
}

let video: Uint8Array;
let audio: Uint8Array;
beforeAll(() => {
  video = make('v.webm', ['-f', 'lavfi', '-i', `testsrc2=duration=${SECONDS}:size=160x120:rate=25`, '-f', 'lavfi', '-i', `sine=duration=${SECONDS}`, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-g', '50', '-c:a', 'libopus', '-shortest']);
  audio = make('a.webm', ['-f', 'lavfi', '-i', `sine=duration=${SECONDS}`, '-c:a', 'libvorbis']);
}, 60_000);

describe('WebM header', () => {
  it('names the codecs, the duration and the first Cluster of a VP9 + Opus video', () => {
    const h = readWebmHeader(video)!;
    expect(h.mime).toBe('video/webm; codecs="vp9, opus"');
    expect(h.durationSeconds).toBeGreaterThan(SECONDS - 0.5);
    expect(h.durationSeconds).toBeLessThan(SECONDS + 0.5);
    expect(h.timestampScaleNs).toBe(1_000_000);
    expect([...video.subarray(h.firstClusterOffset, h.firstClusterOffset + 4)]).toEqual([0x1f, 0x43, 0xb6, 0x75]);
  });

  it('says audio/webm for a file with only an audio track', () => {
    expect(readWebmHeader(audio)!.mime).toBe('audio/webm; codecs="vorbis"');
  });

  it('needs the bytes up to the first Cluster, and refuses what is not WebM', () => {
    const h = readWebmHeader(video)!;
    expect(readWebmHeader(video.subarray(0, h.firstClusterOffset - 10))).toBeNull();
    expect(readWebmHeader(video.subarray(0, h.firstClusterOffset + 12))).toEqual(h);
    expect(isWebm(new TextEncoder().encode('ftypisom'))).toBe(false);
    expect(readWebmHeader(new Uint8Array(64))).toBeNull();
  });

  it('refuses a codec MediaSource cannot be told about', () => {
    const copy = video.slice();
    const at = Buffer.from(copy).indexOf('V_VP9');
    copy.set(new TextEncoder().encode('V_XYZ'), at);
    expect(readWebmHeader(copy)).toBeNull();
  });
});

describe('finding Clusters in a window of bytes', () => {
  it('finds every Cluster of the file, in time order from 0 to the duration', () => {
    const h = readWebmHeader(video)!;
    const all = findClusters(video, 0, h.timestampScaleNs);
    expect(all.length).toBeGreaterThan(2);
    expect(all[0]!.offset).toBe(h.firstClusterOffset);
    expect(all[0]!.seconds).toBe(0);
    for (let i = 1; i < all.length; i++) expect(all[i]!.seconds).toBeGreaterThan(all[i - 1]!.seconds);
    expect(all[all.length - 1]!.seconds).toBeLessThan(SECONDS);
  });

  it('finds the same Clusters, at the same file offsets, inside a window that starts mid-file', () => {
    const h = readWebmHeader(video)!;
    const all = findClusters(video, 0, h.timestampScaleNs);
    const from = all[1]!.offset - 100;
    const to = all[all.length - 1]!.offset + 50;
    const inWindow = findClusters(video.subarray(from, to), from, h.timestampScaleNs);
    expect(inWindow).toEqual(all.filter((c) => c.offset >= from && c.offset + 20 <= to));
  });
});
