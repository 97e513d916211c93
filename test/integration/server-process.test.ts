/** The server as `npm start` runs it: config from the environment, JSON logs, graceful SIGTERM. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../helpers/process.ts';
import { TestClient, id, isOffer, isReply } from '../helpers/ws-client.ts';

const procs: ServerProcess[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) p.child.kill('SIGKILL');
});

describe('server process', () => {
  it('on SIGTERM closes sockets with 1001 (going away) and exits 0', async () => {
    const p = await spawnServer();
    procs.push(p);
    const c = await TestClient.connect(`ws://127.0.0.1:${p.port}/announce`);
    c.send({ action: 'announce', info_hash: id('h'), peer_id: id('p'), left: 1 });
    await c.next(isReply);
    p.child.kill('SIGTERM');
    await c.closed;
    expect(c.closeCode).toBe(1001);
    expect(await p.exited).toBe(0);
    expect(p.lines.some((l) => l.includes('"event":"stopped"'))).toBe(true);
  });

  it('logs one JSON object per line, never SDP, even at debug level', async () => {
    const p = await spawnServer({ LOG_LEVEL: 'debug' });
    procs.push(p);
    const url = `ws://127.0.0.1:${p.port}`;
    const a = await TestClient.connect(url);
    const b = await TestClient.connect(url);
    a.send({ action: 'announce', info_hash: id('h'), peer_id: id('a'), left: 1 });
    await a.next(isReply);
    b.send({ action: 'announce', info_hash: id('h'), peer_id: id('b'), left: 1, offers: [{ offer: { type: 'offer', sdp: 'v=0 SECRET-SDP' }, offer_id: id('o') }] });
    await a.next(isOffer);
    b.send('{broken');
    await b.next();
    await a.close();
    await b.close();
    p.child.kill('SIGTERM');
    await p.exited;
    const logged = p.lines.filter((l) => !l.startsWith('stderr:'));
    expect(logged.length).toBeGreaterThanOrEqual(5);
    for (const line of logged) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toMatchObject({ time: expect.any(String), level: expect.any(String), event: expect.any(String) });
    }
    expect(logged.join('\n')).not.toContain('SECRET-SDP');
    expect(logged.some((l) => l.includes('"event":"reject"'))).toBe(true);
  });

  it('refuses a bad setting at start-up with a message naming the variable', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = spawnSync(process.execPath, ['lib/serve.js'], { cwd: root, env: { ...process.env, ICE_SERVERS: '[{"urls":"http://x"}]' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ICE_SERVERS\[0\]\.urls must be stun/);
    const r2 = spawnSync(process.execPath, ['lib/serve.js'], { cwd: root, env: { ...process.env, MAX_SWARMS_PER_SOCKET: 'lots' }, encoding: 'utf8' });
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/MAX_SWARMS_PER_SOCKET=lots/);
  });
});
