/** mountTracker: the tracker inside a host application's own HTTP server, beside the host's routes and WebSockets. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { mountTracker, type MountedTracker } from '../../signal-server/mount.ts';
import { silentLogger } from '../../signal-server/log.ts';
import { TestClient, id, isReply } from '../helpers/ws-client.ts';

let http: Server | undefined;
let mounted: MountedTracker | undefined;
afterEach(async () => {
  await mounted?.close();
  await new Promise((r) => http?.close(r));
  http = mounted = undefined;
});

async function host(): Promise<{ port: number; hostSockets: WebSocketServer }> {
  http = createServer((_req, res) => res.end('host page'));
  // The host's own WebSocket endpoint, on another path.
  const hostSockets = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (req.url === '/chat') hostSockets.handleUpgrade(req, socket, head, (ws) => ws.send(JSON.stringify({ host: 'hi' })));
  });
  mounted = mountTracker(http, { log: silentLogger, shutdownGraceMs: 1_000 });
  await new Promise<void>((r) => http!.listen(0, '127.0.0.1', r));
  return { port: (http.address() as AddressInfo).port, hostSockets };
}

describe('mountTracker', () => {
  it('serves announces on /announce and leaves the host its pages and other upgrades', async () => {
    const { port } = await host();
    const c = await TestClient.connect(`ws://127.0.0.1:${port}/announce`);
    c.send({ action: 'announce', info_hash: id('h'), peer_id: id('p'), left: 1 });
    expect(await c.next(isReply)).toMatchObject({ action: 'announce', incomplete: 1 });
    expect(mounted!.stats()).toMatchObject({ sockets: 1, swarms: 1, peers: 1 });

    const chat = await TestClient.connect(`ws://127.0.0.1:${port}/chat`);
    expect(await chat.next()).toEqual({ host: 'hi' });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('host page');
    await chat.close();
    await c.close();
  });

  it('close() tells tracker clients it is going away and leaves the host server running', async () => {
    const { port } = await host();
    const c = await TestClient.connect(`ws://127.0.0.1:${port}/announce`);
    c.send({ action: 'announce', info_hash: id('h'), peer_id: id('p'), left: 1 });
    await c.next(isReply);
    await mounted!.close();
    await c.closed;
    expect(c.closeCode).toBe(1001);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('host page');
    mounted = undefined;
  });
});
