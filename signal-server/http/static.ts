/**
 * Serves the built web app (dist/). Paths are resolved strictly inside the root, so "/../x" or
 * "%2e%2e" can never read outside it. Paths without a file extension get index.html, so client-side
 * routes such as /demo load the app.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The app's Content-Security-Policy: only our own scripts run, whatever a torrent contains.
 * Media previews come from blob: URLs; trackers may live on other hosts (ws:, wss:); the engine's
 * clock is a blob: worker. Inline styles are allowed (they cannot run code).
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self' ws: wss: http: https:",
  "worker-src 'self' blob:",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Vite puts content-hashed files under assets/: safe to cache for a year. */
const IMMUTABLE_PREFIX = `${sep}assets${sep}`;
const ONE_YEAR_S = 31_536_000;

export function createStaticHandler(rootDir: string) {
  const root = resolve(rootDir);

  async function fileFor(urlPath: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const candidate = normalize(join(root, decoded));
    if (candidate !== root && !candidate.startsWith(root + sep)) return null;
    const target = extname(candidate) === '' ? join(root, 'index.html') : candidate;
    try {
      const s = await stat(target);
      return s.isFile() ? target : null;
    } catch {
      return null;
    }
  }

  /** Returns false when no file matches, so the caller can answer 404 its own way. */
  return async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = await fileFor(urlPath);
    if (!file) return false;
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    const immutable = file.startsWith(root + IMMUTABLE_PREFIX);
    const headers: Record<string, string> = {
      'content-type': type,
      'cache-control': immutable ? `public, max-age=${ONE_YEAR_S}, immutable` : 'no-cache',
      'x-content-type-options': 'nosniff',
    };
    if (type.startsWith('text/html')) headers['content-security-policy'] = APP_CSP;
    // Scripts may be loaded by other sites (the <tabswarm-file> widget), as module scripts need CORS.
    if (type.startsWith('text/javascript')) headers['access-control-allow-origin'] = '*';
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  };
}
