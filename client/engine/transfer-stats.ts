/**
 * Bytes moved, per peer and for the whole torrent, with their recent rates: what the choker ranks
 * by, what pipelines are sized to, and what the UI shows. Parts record through add*(); only this
 * part holds the meters.
 */
import { RateMeter } from './rate-meter.ts';

interface PeerMeters {
  download: RateMeter;
  upload: RateMeter;
}

export class TransferStats {
  private readonly peers = new Map<string, PeerMeters>();
  private readonly download = new RateMeter();
  private readonly upload = new RateMeter();

  addDownload(key: string, bytes: number, nowMs: number): void {
    this.meters(key).download.add(bytes, nowMs);
    this.download.add(bytes, nowMs);
  }

  addUpload(key: string, bytes: number, nowMs: number): void {
    this.meters(key).upload.add(bytes, nowMs);
    this.upload.add(bytes, nowMs);
  }

  downloadRate(key: string, nowMs: number): number {
    return this.peers.get(key)?.download.rate(nowMs) ?? 0;
  }

  uploadRate(key: string, nowMs: number): number {
    return this.peers.get(key)?.upload.rate(nowMs) ?? 0;
  }

  totals(nowMs: number): { downloaded: number; uploaded: number; downloadRate: number; uploadRate: number } {
    return { downloaded: this.download.total, uploaded: this.upload.total, downloadRate: this.download.rate(nowMs), uploadRate: this.upload.rate(nowMs) };
  }

  removePeer(key: string): void {
    this.peers.delete(key);
  }

  private meters(key: string): PeerMeters {
    let m = this.peers.get(key);
    if (!m) this.peers.set(key, (m = { download: new RateMeter(), upload: new RateMeter() }));
    return m;
  }
}
