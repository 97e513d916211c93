/**
 * The app's sharing controls, persisted in localStorage: upload and download limits, "pause
 * sharing", and "don't share on metered connections". Whatever is stored is validated field by
 * field on load; a missing or malformed field takes its default, so a bad value never stops the app.
 */

export interface SharingSettings {
  /** Bytes per second, for every torrent of this tab alike; 0 = no limit. */
  uploadLimit: number;
  downloadLimit: number;
  /** Upload nothing (downloads carry on). */
  pauseSharing: boolean;
  /** Upload nothing while the browser says the connection is metered (data saver on, or cellular). */
  noSharingWhenMetered: boolean;
}

export const DEFAULT_SHARING_SETTINGS: SharingSettings = { uploadLimit: 0, downloadLimit: 0, pauseSharing: false, noSharingWhenMetered: false };

export const SETTINGS_KEY = 'tabswarm.sharing-settings';

const isRate = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function parseSharingSettings(raw: string | null): SharingSettings {
  let value: Record<string, unknown> = {};
  try {
    const parsed: unknown = raw === null ? {} : JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) value = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (edited by hand, or another app's key): defaults.
  }
  const d = DEFAULT_SHARING_SETTINGS;
  return {
    uploadLimit: isRate(value.uploadLimit) ? value.uploadLimit : d.uploadLimit,
    downloadLimit: isRate(value.downloadLimit) ? value.downloadLimit : d.downloadLimit,
    pauseSharing: typeof value.pauseSharing === 'boolean' ? value.pauseSharing : d.pauseSharing,
    noSharingWhenMetered: typeof value.noSharingWhenMetered === 'boolean' ? value.noSharingWhenMetered : d.noSharingWhenMetered,
  };
}

/** What the Network Information API tells (Chromium has it; Firefox and Safari do not). */
export interface ConnectionInfo {
  saveData?: boolean;
  type?: string;
}

/** Metered when the user turned data saver on or the link is cellular; null when the browser does not say. */
export function isMetered(connection: ConnectionInfo | undefined): boolean | null {
  if (!connection) return null;
  if (connection.saveData === true || connection.type === 'cellular') return true;
  return connection.saveData === undefined && connection.type === undefined ? null : false;
}

export type SharingState = { share: true } | { share: false; reason: 'paused' | 'metered' };

/** Whether this tab uploads, and if not, why (shown to the user). */
export function sharingState(settings: SharingSettings, metered: boolean | null): SharingState {
  if (settings.pauseSharing) return { share: false, reason: 'paused' };
  if (settings.noSharingWhenMetered && metered === true) return { share: false, reason: 'metered' };
  return { share: true };
}

export const KIB = 1024;

/** A limit field's text (KiB/s; empty = no limit) as bytes/s, or null when it is not a whole number ≥ 0. */
export function parseKibField(text: string): number | null {
  const t = text.trim();
  if (t === '') return 0;
  if (!/^\d{1,9}$/.test(t)) return null;
  return Number(t) * KIB;
}
