/** SharingControl: settings saved and reloaded, applied to the client at once, and re-applied when the connection changes. */
import { describe, expect, it } from 'vitest';
import { SharingControl } from '../../client/browser/sharing-control.ts';
import { SETTINGS_KEY } from '../../client/browser/sharing-settings.ts';

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
}

/** The Network Information API's shape: properties and a change event. */
class Connection extends EventTarget {
  saveData = false;
  type = 'wifi';
}

describe('SharingControl', () => {
  it('applies the stored settings on start, and saves and applies every change', () => {
    const applied: unknown[] = [];
    const storage = memoryStorage({ [SETTINGS_KEY]: JSON.stringify({ uploadLimit: 1024, pauseSharing: false }) });
    const control = new SharingControl({ applySharing: (s) => applied.push(s) }, storage, new Connection());
    expect(applied).toEqual([{ uploadLimit: 1024, downloadLimit: 0, share: true }]);
    control.update({ pauseSharing: true, downloadLimit: 2048 });
    expect(applied.at(-1)).toEqual({ uploadLimit: 1024, downloadLimit: 2048, share: false });
    expect(JSON.parse(storage.map.get(SETTINGS_KEY)!)).toEqual({ uploadLimit: 1024, downloadLimit: 2048, pauseSharing: true, noSharingWhenMetered: false });
    // A new tab reads the same.
    const again: unknown[] = [];
    new SharingControl({ applySharing: (s) => again.push(s) }, storage, new Connection());
    expect(again).toEqual([{ uploadLimit: 1024, downloadLimit: 2048, share: false }]);
  });

  it('stops sharing when the connection turns metered (data saver switched on) and resumes when it is not', () => {
    const applied: Array<{ share: boolean }> = [];
    const connection = new Connection();
    const control = new SharingControl({ applySharing: (s) => applied.push(s) }, memoryStorage(), connection);
    control.update({ noSharingWhenMetered: true });
    expect(applied.at(-1)!.share).toBe(true);
    connection.saveData = true;
    connection.dispatchEvent(new Event('change'));
    expect(applied.at(-1)!.share).toBe(false);
    expect(control.state).toEqual({ share: false, reason: 'metered' });
    connection.saveData = false;
    connection.type = 'cellular';
    connection.dispatchEvent(new Event('change'));
    expect(control.state).toEqual({ share: false, reason: 'metered' });
    connection.type = 'wifi';
    connection.dispatchEvent(new Event('change'));
    expect(applied.at(-1)!.share).toBe(true);
  });

  it('keeps working when storage refuses to save (private mode, quota)', () => {
    const applied: Array<{ share: boolean }> = [];
    const storage = { getItem: () => null, setItem: () => { throw new DOMException('full', 'QuotaExceededError'); } };
    const control = new SharingControl({ applySharing: (s) => applied.push(s) }, storage, undefined);
    control.update({ pauseSharing: true });
    expect(applied.at(-1)!.share).toBe(false);
    expect(control.metered).toBe(null);
  });
});
