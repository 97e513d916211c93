/**
 * How far ahead of the playhead a stream asks for pieces before all others: a pure function of the
 * media's bitrate and the download rate. When the swarm gives more than the media consumes, a few
 * seconds ahead are enough and every other piece stays rarest-first (viewers keep trading); when it
 * gives less, the window grows so that all of the download goes to the next bytes to be played,
 * which puts off the stall longest.
 */

/** Seconds of media kept requested ahead of the playhead while the swarm keeps up. */
export const READ_AHEAD_SECONDS = 10;
/** When the swarm gives less than the bitrate, the window grows by the shortfall, up to this factor. */
export const MAX_SHORTFALL_FACTOR = 6;
/** Never less than this ahead: four pieces, so requests to several peers overlap. */
export const MIN_READ_AHEAD_BYTES = 1024 * 1024;
/** Never more than this: beyond it the window would crowd out rarest-first for the whole file. */
export const MAX_READ_AHEAD_BYTES = 64 * 1024 * 1024;
/** Before the bitrate is known (the player has not read the duration yet): a few seconds of a typical web video. */
export const DEFAULT_READ_AHEAD_BYTES = 4 * 1024 * 1024;

export interface ReadAheadInput {
  /** The media's bytes per second of playback (file length / duration); null when not known yet. */
  bitrate: number | null;
  /** What the torrent is receiving now, bytes per second. */
  downloadRate: number;
}

export function readAheadBytes({ bitrate, downloadRate }: ReadAheadInput): number {
  if (bitrate === null || !(bitrate > 0) || !Number.isFinite(bitrate)) return DEFAULT_READ_AHEAD_BYTES;
  // No rate measured yet (the first seconds) counts as the worst shortfall: start sequential.
  const shortfall = downloadRate > 0 ? Math.min(MAX_SHORTFALL_FACTOR, Math.max(1, bitrate / downloadRate)) : MAX_SHORTFALL_FACTOR;
  return Math.round(Math.min(MAX_READ_AHEAD_BYTES, Math.max(MIN_READ_AHEAD_BYTES, bitrate * READ_AHEAD_SECONDS * shortfall)));
}
