/** The app's sharing controls: what is stored is validated, and what they decide. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHARING_SETTINGS, isMetered, parseKibField, parseSharingSettings, sharingState } from '../../client/browser/sharing-settings.ts';

describe('sharing settings', () => {
  it('round-trips what was saved', () => {
    const s = { uploadLimit: 65_536, downloadLimit: 1_048_576, pauseSharing: true, noSharingWhenMetered: true };
    expect(parseSharingSettings(JSON.stringify(s))).toEqual(s);
  });

  it('falls back to the default per field for anything missing or malformed', () => {
    expect(parseSharingSettings(null)).toEqual(DEFAULT_SHARING_SETTINGS);
    expect(parseSharingSettings('not json')).toEqual(DEFAULT_SHARING_SETTINGS);
    expect(parseSharingSettings('[1,2]')).toEqual(DEFAULT_SHARING_SETTINGS);
    expect(parseSharingSettings(JSON.stringify({ uploadLimit: -5, downloadLimit: 1.5, pauseSharing: 'yes', noSharingWhenMetered: true }))).toEqual({ ...DEFAULT_SHARING_SETTINGS, noSharingWhenMetered: true });
  });

  it('a connection is metered with data saver on or on cellular; unknown when the browser does not say', () => {
    expect(isMetered(undefined)).toBe(null);
    expect(isMetered({})).toBe(null);
    expect(isMetered({ saveData: true, type: 'wifi' })).toBe(true);
    expect(isMetered({ saveData: false, type: 'cellular' })).toBe(true);
    expect(isMetered({ saveData: false })).toBe(false);
    expect(isMetered({ type: 'ethernet' })).toBe(false);
  });

  it('pausing wins over everything; "not on metered" stops sharing only on a metered connection', () => {
    const d = DEFAULT_SHARING_SETTINGS;
    expect(sharingState(d, true)).toEqual({ share: true });
    expect(sharingState({ ...d, pauseSharing: true }, false)).toEqual({ share: false, reason: 'paused' });
    expect(sharingState({ ...d, noSharingWhenMetered: true }, true)).toEqual({ share: false, reason: 'metered' });
    expect(sharingState({ ...d, noSharingWhenMetered: true }, false)).toEqual({ share: true });
    expect(sharingState({ ...d, noSharingWhenMetered: true }, null)).toEqual({ share: true });
  });

  it('reads a limit field in KiB/s: empty is no limit, anything but a whole number is refused', () => {
    expect(parseKibField('')).toBe(0);
    expect(parseKibField(' 64 ')).toBe(65_536);
    expect(parseKibField('0')).toBe(0);
    for (const bad of ['-1', '1.5', '1e3', 'fast', '9999999999']) expect(parseKibField(bad), bad).toBe(null);
  });
});
