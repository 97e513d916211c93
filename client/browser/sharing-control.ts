/**
 * Carries the sharing settings out in a tab: loads them from localStorage, follows the browser's
 * word on metered connections (navigator.connection, where it exists) and applies the result to
 * the client. The decisions are sharing-settings.ts's; this only wires storage and events.
 */
import { Emitter } from '../../shared/emitter.ts';
import { SETTINGS_KEY, isMetered, parseSharingSettings, sharingState, type ConnectionInfo, type SharingSettings, type SharingState } from './sharing-settings.ts';

interface Applies {
  applySharing(sharing: { uploadLimit: number; downloadLimit: number; share: boolean }): void;
}

type NetworkConnection = ConnectionInfo & EventTarget;

export class SharingControl extends Emitter<{ change: [] }> {
  private current: SharingSettings;
  private readonly connection: NetworkConnection | undefined;

  constructor(
    private readonly client: Applies,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
    connection: NetworkConnection | undefined = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { connection?: NetworkConnection }).connection,
  ) {
    super();
    this.current = parseSharingSettings(storage.getItem(SETTINGS_KEY));
    this.connection = connection;
    connection?.addEventListener('change', () => this.apply());
    this.apply();
  }

  get settings(): SharingSettings {
    return this.current;
  }

  /** true/false when the browser says; null when it does not (Firefox, Safari). */
  get metered(): boolean | null {
    return isMetered(this.connection);
  }

  get state(): SharingState {
    return sharingState(this.current, this.metered);
  }

  update(change: Partial<SharingSettings>): void {
    this.current = parseSharingSettings(JSON.stringify({ ...this.current, ...change }));
    try {
      this.storage.setItem(SETTINGS_KEY, JSON.stringify(this.current));
    } catch {
      // Storage full or blocked (private mode): the setting holds for this visit.
    }
    this.apply();
  }

  private apply(): void {
    this.client.applySharing({ uploadLimit: this.current.uploadLimit, downloadLimit: this.current.downloadLimit, share: this.state.share });
    this.emit('change');
  }
}
