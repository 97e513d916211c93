/** Live status lines for `seed` and `get`: pieces, rates, peers, ETA. */
import type { TorrentStats } from '../engine/torrent.ts';
import { formatBytes, formatEta, formatRate } from '../../shared/format.ts';

export function downloadDetail(s: TorrentStats): string {
  const left = (s.length ?? 0) - s.bytesVerified;
  const eta = s.downloadRate > 0 ? left / s.downloadRate : Infinity;
  return `${s.piecesHave}/${s.pieceCount ?? '?'} pieces, ↓ ${formatRate(s.downloadRate)} ↑ ${formatRate(s.uploadRate)}, ${s.peers.length} peers, ETA ${formatEta(eta)}`;
}

export function seedLine(s: TorrentStats): string {
  return `seeding ${s.name}: ${s.peers.length} peers, ↑ ${formatRate(s.uploadRate)}, ${formatBytes(s.uploaded)} sent`;
}
