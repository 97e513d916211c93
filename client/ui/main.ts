import type { BrowserClient } from '../browser/client.ts';

declare global {
  interface Window {
    /** The tab's engine, for the console and for browser tests. */
    tabswarm?: Promise<BrowserClient>;
    /** The engine's class, for a client with other options (the connection-budget test makes one). */
    TabswarmClient?: typeof BrowserClient;
    /** Whether the app holds a screen wake lock now, for browser tests (the API has no query). */
    tabswarmWakeLock?: { readonly held: boolean; readonly lastError: string };
  }
}

/** /demo is the teaching demo (its own engine and clock); every other path is the app. */
if (/^\/demo\/?$/.test(location.pathname)) {
  await import('../demo/demo-page.ts');
  const main = document.querySelector('main')!;
  main.style.maxWidth = '72rem';
  main.innerHTML = '<h1>Tabswarm: how a swarm works</h1><tabswarm-demo></tabswarm-demo>';
  document.title = 'Tabswarm demo';
} else {
  await import('./app.ts');
}
