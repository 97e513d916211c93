import './share-preview.ts';
import { BrowserClient } from '../browser/client.ts';

declare global {
  interface Window {
    /** The tab's engine, for the console and for browser tests. */
    tabswarm?: Promise<BrowserClient>;
  }
}

window.tabswarm = BrowserClient.create();
