/**
 * Debian's nginx as a third-party origin for web seed tests: serves `root` on a free loopback port
 * from a config of its own (no daemon, one process, everything under a temporary folder). Each
 * location serves a folder, with Range as every web server does, or with byte ranges turned off
 * (max_ranges 0), as some origins are.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process.ts';

export const NGINX = '/usr/sbin/nginx';

export interface Origin {
  /** http://127.0.0.1:PORT */
  url: string;
  stop(): Promise<void>;
}

export interface Location {
  /** URL prefix, starting and ending with "/". */
  path: string;
  root: string;
  noRange?: boolean;
  /** Allow cross-origin reads (what a browser's web seed needs), as a site that hosts files for the widget does. */
  cors?: boolean;
}

const CORS_HEADERS = `add_header Access-Control-Allow-Origin * always; add_header Access-Control-Expose-Headers "Content-Range, Content-Length, Accept-Ranges" always;`;

function locationBlock(l: Location): string {
  const cors = l.cors
    ? ` ${CORS_HEADERS} if ($request_method = OPTIONS) { ${CORS_HEADERS} add_header Access-Control-Allow-Headers "Range" always; add_header Access-Control-Max-Age 86400 always; return 204; }`
    : '';
  return `    location ${l.path} { alias ${l.root}/;${l.noRange ? ' max_ranges 0;' : ''}${cors} }`;
}

export async function startNginx(locations: Location[]): Promise<Origin> {
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-nginx-'));
  mkdirSync(join(dir, 'temp'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  types { application/octet-stream bin; text/plain txt; application/x-bittorrent torrent; }
  server {
    listen 127.0.0.1:${port};
${locations.map(locationBlock).join('\n')}
  }
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ['-e', join(dir, 'error.log'), '-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // Ready when it answers; an nginx that exits (a bad config, a taken port) fails the wait at once.
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`nginx exited: ${stderr}${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    try {
      await fetch(`${url}/`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    url,
    stop: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
