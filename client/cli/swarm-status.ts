/** Live status lines for `seed` and `get`: pieces, rates, peers, ETA. */
import type { TorrentStats } from '../engine/torrent.ts';
import { formatBytes } from './progress.ts';

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export function downloadDetail(s: TorrentStats): string {
  const left = (s.length ?? 0) - s.bytesVerified;
  const eta = s.downloadRate > 0 ? left / s.downloadRate : Infinity;
  return `${s.piecesHave}/${s.pieceCount ?? '?'} pieces, ↓ ${formatRate(s.downloadRate)} ↑ ${formatRate(s.uploadRate)}, ${s.peers.length} peers, ETA ${formatEta(eta)}`;
}

export function seedLine(s: TorrentStats): string {
  return `seeding ${s.name}: ${s.peers.length} peers, ↑ ${formatRate(s.uploadRate)}, ${formatBytes(s.uploaded)} sent`;
}
