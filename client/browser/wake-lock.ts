/**
 * Keeps the screen awake while files transfer (Screen Wake Lock API) and lets it sleep after: a
 * locked screen suspends the tab on many devices, and the transfer with it. The browser releases
 * the lock whenever the page is hidden, so it is asked for again when the page comes back.
 * Browsers without the API, or that refuse (battery saver, no permission), simply go without.
 */

export interface WakeLockLike {
  request(type: 'screen'): Promise<{ released: boolean; release(): Promise<void>; addEventListener(type: 'release', fn: () => void): void }>;
}

type Sentinel = Awaited<ReturnType<WakeLockLike['request']>>;

export class WakeLockKeeper {
  private sentinel: Sentinel | null = null;
  private requesting = false;
  private wanted = false;
  /** Why the last request failed, for the UI ("" when it did not). */
  lastError = '';

  constructor(
    private readonly wakeLock: WakeLockLike | undefined = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { wakeLock?: WakeLockLike }).wakeLock,
    private readonly doc: Pick<Document, 'visibilityState' | 'addEventListener'> = document,
  ) {
    doc.addEventListener('visibilitychange', () => void this.sync());
  }

  get held(): boolean {
    return this.sentinel !== null && !this.sentinel.released;
  }

  /** Hold the lock while `transferring`; release it when not. */
  update(transferring: boolean): void {
    this.wanted = transferring;
    void this.sync();
  }

  private async sync(): Promise<void> {
    if (!this.wakeLock) return;
    if (!this.wanted) {
      const s = this.sentinel;
      this.sentinel = null;
      if (s && !s.released) await s.release().catch(() => {});
      return;
    }
    if (this.held || this.requesting || this.doc.visibilityState !== 'visible') return;
    this.requesting = true;
    try {
      const s = await this.wakeLock.request('screen');
      s.addEventListener('release', () => {
        if (this.sentinel === s) this.sentinel = null;
      });
      this.sentinel = s;
      this.lastError = '';
      // Transfers may have ended while we waited.
      if (!this.wanted) await this.sync();
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
    } finally {
      this.requesting = false;
    }
  }
}
