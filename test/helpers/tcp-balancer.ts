/**
 * A TCP load balancer for tests, standing in for nginx/HAProxy in front of several tracker
 * processes: each new connection goes to the next backend in turn, and to the one after it when
 * that backend refuses (it died).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Balancer {
  port: number;
  /** Which backend each accepted connection went to, in order. */
  routed: number[];
  close(): Promise<void>;
}

export async function startBalancer(backendPorts: number[]): Promise<Balancer> {
  let next = 0;
  const routed: number[] = [];
  const open = new Set<Socket>();
  const track = (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  };

  const forward = (client: Socket, attempt: number, first: number) => {
    if (attempt >= backendPorts.length) return client.destroy();
    const port = backendPorts[(first + attempt) % backendPorts.length]!;
    const upstream = connect(port, '127.0.0.1');
    upstream.once('error', () => forward(client, attempt + 1, first));
    upstream.once('connect', () => {
      track(upstream);
      routed.push(port);
      upstream.removeAllListeners('error');
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.resume();
    });
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    forward(client, 0, next++ % backendPorts.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    routed,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
