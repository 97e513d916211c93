import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.ts';

let s: RunningServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.server.close());

/** Raw request: fetch() would normalise "/../" away before it reaches the server. */
function rawGet(path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP', () => {
  it('serves the app, health, client routes and hashed assets', async () => {
    const index = await rawGet('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Tabswarm</title>');
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect((await rawGet('/demo')).body).toContain('<title>Tabswarm</title>');
    const asset = await rawGet('/assets/app-123.js');
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect(JSON.parse((await rawGet('/healthz')).body)).toMatchObject({ status: 'ok' });
  });

  it.each(['/../package.json', '/%2e%2e/%2e%2e/etc/hosts.txt', '/assets/..%2f..%2fpackage.json', '/%00.js', '/missing.js', '/%E0%A4%A'])(
    'answers 404 for %s',
    async (path) => {
      const r = await rawGet(path);
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('"name"');
    },
  );

  it.each(['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd'])('never reads outside the app for %s (extension-less paths get the app)', async (path) => {
    const r = await rawGet(path);
    expect(r.body).not.toContain('root:');
    expect(r.body).toContain('<title>Tabswarm</title>');
  });
});
