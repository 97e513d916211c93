import type { BrowserClient } from '../browser/client.ts';
import './app.ts';

declare global {
  interface Window {
    /** The tab's engine, for the console and for browser tests. */
    tabswarm?: Promise<BrowserClient>;
    /** The engine's class, for a client with other options (the connection-budget test makes one). */
    TabswarmClient?: typeof BrowserClient;
  }
}
