/**
 * Whether this tab is moving files now — a download not finished (even while it waits for
 * peers), or an upload under way. What keeps the screen awake and what makes hiding the tab
 * worth a warning.
 */
import type { TorrentStats } from '../engine/torrent.ts';

export function isTransferring(stats: Iterable<Pick<TorrentStats, 'done' | 'uploadRate'>>): boolean {
  for (const s of stats) if (!s.done || s.uploadRate > 0) return true;
  return false;
}

/** The tab's title while it is hidden during a transfer: the tab strip is all the user sees then. */
export function hiddenTitle(title: string): string {
  return `⚠ Transferring — keep this tab open · ${title}`;
}
