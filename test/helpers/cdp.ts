/**
 * Chromium driven over the DevTools protocol directly, without Playwright. Playwright keeps every
 * page it controls "visible" and unthrottled (focus emulation, anti-backgrounding flags), which is
 * right for most tests and makes a hidden tab impossible; this is for the one test that needs one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';

export class CdpBrowser {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess, private readonly ws: WebSocket, private readonly profile: string) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error.message));
      else p?.resolve(msg.result);
    });
  }

  /** Headless Chromium with the usual flags, and none of the ones that stop background throttling. */
  static async launch(): Promise<CdpBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'tabswarm-cdp-'));
    // Its own process group, so closing it takes its helper processes too.
    const child = spawn(CHROMIUM_PATH, [...CHROMIUM_ARGS, '--headless=new', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (c: Buffer) => {
        err += c.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`chromium exited (${code}): ${err}`)));
    });
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new CdpBrowser(child, ws, profile);
  }

  send<T = any>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** Opens a tab (in the browser's one window) and attaches to it. */
  async openTab(url: string): Promise<CdpTab> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    return new CdpTab(this, targetId, sessionId);
  }

  /** Closes the browser (politely, then its whole process group) and removes its profile. */
  async close(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    await Promise.race([this.send('Browser.close').catch(() => {}), new Promise((r) => setTimeout(r, 2_000))]);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      /* the group is already gone */
    }
    this.ws.close();
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

export class CdpTab {
  constructor(private readonly browser: CdpBrowser, readonly targetId: string, private readonly sessionId: string) {}

  /** Evaluates an expression in the page (awaiting a promise) and returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.browser.send<{ result: { value: T }; exceptionDetails?: { exception?: { description?: string }; text: string } }>(
      'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, this.sessionId);
    if (r.exceptionDetails) throw new Error(`in page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  }

  /** Brings this tab to the front (the others in the window become hidden). */
  activate(): Promise<unknown> {
    return this.browser.send('Target.activateTarget', { targetId: this.targetId });
  }
}
