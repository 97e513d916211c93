/**
 * A page's JavaScript CPU profile (CDP Profiler, sampled) summed by the source file each sample's
 * function came from (idle samples left out; "(program)" is the renderer's own native work), so a report can say "this much in the uploader, this much in simple-peer".
 * The app is built with hidden source maps (vite.config.ts), read here from dist/; a script
 * without a map (WebTorrent's bundle) counts under its own file name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';

/** The parts of a CDP Profiler.Profile that are used. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface SourceShare {
  source: string;
  seconds: number;
}

/** node_modules/<package> or the project path of a source file; the profiler's pseudo-frames as they are. */
function shortSource(source: string): string {
  const nm = source.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = source.slice(nm + 'node_modules/'.length).split('/');
    return `node_modules/${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const i = source.search(/(client|shared)\//);
  return i >= 0 ? source.slice(i) : source;
}

/** Self time per source file, largest first. `distDir` holds the built app and its .map files. */
export function selfTimeBySource(profile: CpuProfile, distDir: string): SourceShare[] {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const maps = new Map<string, SourceMapConsumer | null>();
  const mapFor = (url: string): SourceMapConsumer | null => {
    if (maps.has(url)) return maps.get(url)!;
    const path = new URL(url).pathname;
    const file = join(distDir, `${path}.map`);
    const consumer = existsSync(file) ? new SourceMapConsumer(JSON.parse(readFileSync(file, 'utf8')) as RawSourceMap) : null;
    maps.set(url, consumer);
    return consumer;
  };
  const sums = new Map<string, number>();
  for (const node of profile.nodes) {
    const micros = self.get(node.id);
    if (!micros) continue;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    if (functionName === '(idle)') continue; // the thread was waiting, not computing
    let source: string;
    if (!url) source = functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
    else if (!/^https?:/.test(url)) source = url;
    else {
      const original = mapFor(url)?.originalPositionFor({ line: lineNumber + 1, column: columnNumber });
      source = original?.source ? shortSource(original.source) : new URL(url).pathname.split('/').at(-1)!;
    }
    sums.set(source, (sums.get(source) ?? 0) + micros / 1e6);
  }
  return [...sums].map(([source, seconds]) => ({ source, seconds })).sort((a, b) => b.seconds - a.seconds);
}
