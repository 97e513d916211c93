/** Runs the real server (lib/serve.js, built from signal-server/main.ts, as `npm start` does) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  lines: string[];
  exited: Promise<number | null>;
}

/** Starts the server and resolves once it logs "listening". */
export async function spawnServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  // As `npm start` runs it: the built server (lib/serve.js; `npm test` builds lib/ before Vitest runs).
  const child = spawn(process.execPath, ['lib/serve.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"event":"listening"')) resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk.toString()}`));
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${lines.join('\n')}`)));
  });
  return { child, port, lines, exited };
}

/** Resolves with the first stdout line of `child` that matches `re`, and when it came (performance.now()); rejects if the process exits first. */
export function waitForLine(child: ChildProcess, re: RegExp, what: string): Promise<{ line: string; atMs: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => re.test(l));
      if (line) resolve({ line: line.trim(), atMs: performance.now() });
    });
    child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}) before printing ${re}: ${err}`)));
  });
}
