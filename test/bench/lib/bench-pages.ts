/**
 * What benchmarks do inside a page, whatever browser and network the page is in: open a Tabswarm or
 * a WebTorrent 2.8.5 page, seed generated content, download it and check it byte-exact, and blast a
 * raw RTCDataChannel between two pages (the physical limit both systems are measured against).
 * The loopback benchmarks (browser-swarm.ts) and the network lab's (network.ts) both use these.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from '@playwright/test';

const BUNDLE = fileURLToPath(new URL('../../reference-peers/node_modules/webtorrent/dist/webtorrent.min.js', import.meta.url));

export type PageKind = 'tabswarm' | 'webtorrent';

export interface PageSetup {
  /** The app's origin (the Tabswarm server). */
  origin: string;
  /** ICE servers for WebTorrent's and the raw channel's connections (Tabswarm pages read /config). */
  iceServers?: RTCIceServer[];
}

/** A page of its own context in `browser`, with the app (Tabswarm) or the WebTorrent bundle loaded. */
export async function openBenchPage(browser: Browser, setup: PageSetup, kind: PageKind, uploadLimit: number): Promise<Page> {
  const context = await browser.newContext();
  // Counts the RTCPeerConnections the page creates: each costs a DTLS certificate, ICE and a
  // handshake, so a swarm that churns connections pays for it in CPU.
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    (window as any).peerConnectionsCreated = 0;
    window.RTCPeerConnection = new Proxy(Native, {
      construct(target, args) {
        (window as any).peerConnectionsCreated++;
        return Reflect.construct(target, args);
      },
    });
  });
  const page = await context.newPage();
  await page.route('**/__reference/webtorrent.min.js', (route) => route.fulfill({ path: BUNDLE, contentType: 'text/javascript' }));
  await page.goto(setup.origin);
  if (kind === 'tabswarm') {
    await page.waitForFunction(() => (window as any).tabswarm !== undefined);
    await page.evaluate(() => (window as any).tabswarm);
  } else {
    await page.evaluate(
      async ({ uploadLimit, iceServers }) => {
        const { default: WebTorrent } = await import('/__reference/webtorrent.min.js' as string);
        (window as any).wt = new WebTorrent({ uploadLimit: uploadLimit > 0 ? uploadLimit : -1, tracker: { rtcConfig: { iceServers } } });
      },
      { uploadLimit, iceServers: setup.iceServers ?? [] },
    );
  }
  return page;
}

/** Generates `bytes` of content in the page and seeds it; returns the magnet link and SHA-256. */
export async function seedIn(page: Page, kind: PageKind, bytes: number, uploadLimit: number, opts: { tracker: string; initialSeeding?: boolean; private?: boolean }): Promise<{ magnet: string; sha256: string }> {
  return page.evaluate(
    async ({ kind, bytes, uploadLimit, tracker, initialSeeding, isPrivate }) => {
      const data = new Uint8Array(bytes);
      for (let i = 0; i < data.length; i += 65_536) crypto.getRandomValues(data.subarray(i, i + 65_536));
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
      const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      const file = new File([data], 'bench.bin');
      if (kind === 'tabswarm') {
        const client = await (window as any).tabswarm;
        const session = await client.seed([file], undefined, { initialSeeding, private: isPrivate });
        session.torrent.setLimits({ uploadLimit });
        return { magnet: client.magnet(session.torrent.infoHash), sha256 };
      }
      const magnet = await new Promise<string>((resolve) => (window as any).wt.seed(file, { announce: [tracker] }, (t: any) => resolve(t.magnetURI)));
      return { magnet, sha256 };
    },
    { kind, bytes, uploadLimit, tracker: opts.tracker, initialSeeding: opts.initialSeeding ?? true, isPrivate: opts.private ?? false },
  );
}

export interface DownloadResult {
  sha256: string;
  /** When it finished (ms, page clock). */
  doneAt: number;
  uploaded: number;
  connections: number;
  created: number;
}

/**
 * Starts a download; resolves with the SHA-256 of the result once complete. `strategy` is
 * WebTorrent's piece strategy (its best for a swarm: rarest first); `untilFile`: a Tabswarm
 * download finishes when its file is ready to save, not when its last piece is verified.
 */
export function downloadIn(page: Page, kind: PageKind, magnet: string, uploadLimit: number, opts: { tracker: string; strategy?: 'rarest' | 'sequential'; untilFile?: boolean }): Promise<DownloadResult> {
  return page.evaluate(
    async ({ kind, magnet, uploadLimit, tracker, strategy, untilFile }) => {
      // (No named helper functions in here: tsx would wrap them with a helper the page lacks.)
      let blob: Blob;
      let doneAt: number;
      let uploaded: number;
      let connections: number;
      if (kind === 'tabswarm') {
        const client = await (window as any).tabswarm;
        const session = await client.add(magnet);
        session.torrent.setLimits({ uploadLimit });
        if (!session.torrent.done) await new Promise<void>((r) => session.on('done', r));
        doneAt = Date.now();
        connections = session.torrent.peerCount;
        blob = (await client.file(session.torrent.infoHash)).blob;
        if (untilFile) doneAt = Date.now();
        uploaded = session.torrent.stats().uploaded;
      } else {
        const wt = (window as any).wt;
        const torrent: any = await new Promise((resolve) => wt.add(magnet, { announce: [tracker], strategy }, resolve));
        if (!torrent.done) await new Promise<void>((r) => torrent.on('done', r));
        doneAt = Date.now();
        connections = torrent.numPeers;
        blob = await torrent.files[0].blob();
        uploaded = torrent.uploaded;
      }
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      return { sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), doneAt, uploaded, connections, created: (window as any).peerConnectionsCreated as number };
    },
    { kind, magnet, uploadLimit, tracker: opts.tracker, strategy: opts.strategy ?? 'rarest', untilFile: opts.untilFile ?? false },
  );
}

/** The bytes the first torrent of a seeding page has uploaded. */
export function seederUploaded(page: Page, kind: PageKind): Promise<number> {
  return page.evaluate(async (kind) => {
    if (kind === 'tabswarm') {
      const c = await (window as any).tabswarm;
      return [...c.sessions.values()][0].torrent.stats().uploaded as number;
    }
    return (window as any).wt.torrents[0].uploaded as number;
  }, kind);
}

/** How a raw transfer is spread: over several peer connections (each its own SCTP association, its own congestion window), several channels each, in messages of this size. */
export interface RawShape {
  connections: number;
  channelsPerConnection: number;
  messageBytes: number;
}

/** One ordered channel on one connection, 64 KiB messages: the baseline both systems are measured against. */
export const ONE_RAW_CHANNEL: RawShape = { connections: 1, channelsPerConnection: 1, messageBytes: 65_536 };

/**
 * Blasts `bytes` from page a to page b over raw RTCDataChannels shaped as `shape` (default: one
 * channel), each channel kept 8 MiB deep; returns MB/s (10^6 B/s) from the first message received
 * on any channel to the last channel's end.
 */
export async function rawChannelBetween(a: Page, b: Page, bytes: number, iceServers: RTCIceServer[] = [], shape: RawShape = ONE_RAW_CHANNEL): Promise<number> {
  const offers = await a.evaluate(
    async ({ iceServers, shape }) => {
      const all = [];
      for (let c = 0; c < shape.connections; c++) {
        const pc = new RTCPeerConnection({ iceServers });
        const chs = Array.from({ length: shape.channelsPerConnection }, (_, i) => {
          const ch = pc.createDataChannel(`raw-${i}`, { ordered: true });
          ch.binaryType = 'arraybuffer';
          return ch;
        });
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
        all.push({ pc, chs });
      }
      (window as any).raw = all;
      return all.map((x) => x.pc.localDescription!.toJSON());
    },
    { iceServers, shape },
  );
  const answers = await b.evaluate(
    async ({ offers, iceServers, streams }) => {
      let start = 0;
      let bytes = 0;
      let ended = 0;
      let resolve!: (mbps: number) => void;
      (window as any).received = new Promise<number>((r) => (resolve = r));
      const pcs = [];
      const out = [];
      for (const offer of offers) {
        const pc = new RTCPeerConnection({ iceServers });
        pc.addEventListener('datachannel', (e) => {
          e.channel.binaryType = 'arraybuffer';
          e.channel.onmessage = (m) => {
            if (start === 0) start = performance.now();
            bytes += (m.data as ArrayBuffer).byteLength;
            if ((m.data as ArrayBuffer).byteLength === 1 && ++ended === streams) resolve(bytes / 1e6 / ((performance.now() - start) / 1000));
          };
        });
        await pc.setRemoteDescription(offer);
        await pc.setLocalDescription(await pc.createAnswer());
        await new Promise<void>((r) => (pc.iceGatheringState === 'complete' ? r() : pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r())));
        pcs.push(pc);
        out.push(pc.localDescription!.toJSON());
      }
      (window as any).pcB = pcs;
      return out;
    },
    { offers, iceServers, streams: shape.connections * shape.channelsPerConnection },
  );
  await a.evaluate(
    async ({ answers, total, messageBytes }) => {
      const all = (window as any).raw as Array<{ pc: RTCPeerConnection; chs: RTCDataChannel[] }>;
      await Promise.all(all.map((x, i) => x.pc.setRemoteDescription(answers[i]!)));
      const chs = all.flatMap((x) => x.chs);
      await Promise.all(chs.map((ch) => (ch.readyState === 'open' ? undefined : new Promise((r) => (ch.onopen = r)))));
      const chunk = new Uint8Array(messageBytes);
      const share = Math.ceil(total / chs.length / messageBytes) * messageBytes;
      await Promise.all(
        chs.map(async (ch) => {
          ch.bufferedAmountLowThreshold = 2 << 20;
          for (let sent = 0; sent < share; sent += chunk.length) {
            if (ch.bufferedAmount > 8 << 20) await new Promise((r) => (ch.onbufferedamountlow = r));
            ch.send(chunk);
          }
          ch.send(new Uint8Array(1));
        }),
      );
    },
    { answers, total: bytes, messageBytes: shape.messageBytes },
  );
  return b.evaluate(() => (window as any).received as Promise<number>);
}
