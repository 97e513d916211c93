/**
 * An origin's uplink for benchmarks: a TCP forwarder in front of a real web server (nginx) whose
 * responses, across every connection together, leave at most `rate` bytes/s — the server's upload
 * u_s of the seed's formula. nginx can only cap each connection (limit_rate), and a web seed's
 * downloaders open several, so the shared cap lives here. It also counts what the origin sent.
 *
 * Time is cut into slots: each chunk (at most CHUNK_BYTES) reserves the next free slot of the
 * link, so concurrent responses take turns chunk by chunk and share the rate fairly.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

const CHUNK_BYTES = 16 * 1024;

export interface ShapedProxy {
  port: number;
  url: string;
  /** Bytes the origin has sent to clients since the last reset (HTTP headers included). */
  sentBytes(): number;
  /** HTTP responses begun since the last reset (connections opened, more exactly). */
  connections(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startShapedProxy(upstreamPort: number, rateBytesPerSecond: number): Promise<ShapedProxy> {
  let linkFreeAtMs = 0;
  let sent = 0;
  let opened = 0;
  const sockets = new Set<Socket>();

  /** When a chunk of `bytes` may leave, reserving its share of the link. */
  const reserve = (bytes: number): number => {
    const now = performance.now();
    const start = Math.max(now, linkFreeAtMs);
    linkFreeAtMs = start + (bytes / rateBytesPerSecond) * 1000;
    return start - now;
  };

  const server: Server = createServer((client) => {
    opened++;
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // Responses go out chunk by chunk, each at its reserved time; reading waits while a chunk waits.
    let queue: Promise<void> = Promise.resolve();
    upstream.on('data', (data: Buffer) => {
      upstream.pause();
      queue = queue.then(async () => {
        for (let at = 0; at < data.length; at += CHUNK_BYTES) {
          const chunk = data.subarray(at, at + CHUNK_BYTES);
          const waitMs = reserve(chunk.length);
          if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs));
          if (client.destroyed) return;
          sent += chunk.length;
          client.write(chunk);
        }
        upstream.resume();
      });
    });
    upstream.on('end', () => void queue.then(() => client.end()));
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    sentBytes: () => sent,
    connections: () => opened,
    reset: () => {
      sent = 0;
      opened = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
