/** WakeLockKeeper: held while transferring and visible, asked for again after the page was hidden, released when done. */
import { describe, expect, it } from 'vitest';
import { WakeLockKeeper, type WakeLockLike } from '../../client/browser/wake-lock.ts';

/** The Screen Wake Lock API's behaviour: a sentinel per request, released by the page or by the browser when hidden. */
function fakeWakeLock(refuse = false) {
  const sentinels: Array<EventTarget & { released: boolean; release(): Promise<void> }> = [];
  const api: WakeLockLike = {
    async request() {
      if (refuse) throw new DOMException('Wake lock permission denied', 'NotAllowedError');
      const s = Object.assign(new EventTarget(), {
        released: false,
        async release() {
          if (s.released) return;
          s.released = true;
          s.dispatchEvent(new Event('release'));
        },
      });
      sentinels.push(s);
      return s as never;
    },
  };
  return { api, sentinels };
}

class FakeDocument extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible';
  set(state: DocumentVisibilityState) {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('WakeLockKeeper', () => {
  it('holds the lock while transferring and releases it after', async () => {
    const { api, sentinels } = fakeWakeLock();
    const keeper = new WakeLockKeeper(api, new FakeDocument() as unknown as Document);
    keeper.update(true);
    await settle();
    expect(keeper.held).toBe(true);
    keeper.update(true);
    await settle();
    expect(sentinels).toHaveLength(1);
    keeper.update(false);
    await settle();
    expect(keeper.held).toBe(false);
    expect(sentinels[0]!.released).toBe(true);
  });

  it('asks again when a hidden page (whose lock the browser released) is visible again', async () => {
    const { api, sentinels } = fakeWakeLock();
    const doc = new FakeDocument();
    const keeper = new WakeLockKeeper(api, doc as unknown as Document);
    keeper.update(true);
    await settle();
    doc.set('hidden');
    await sentinels[0]!.release();
    expect(keeper.held).toBe(false);
    keeper.update(true);
    await settle();
    expect(sentinels).toHaveLength(1);
    doc.set('visible');
    await settle();
    expect(keeper.held).toBe(true);
    expect(sentinels).toHaveLength(2);
  });

  it('goes without when the browser refuses or lacks the API, and says why', async () => {
    const refused = new WakeLockKeeper(fakeWakeLock(true).api, new FakeDocument() as unknown as Document);
    refused.update(true);
    await settle();
    expect(refused.held).toBe(false);
    expect(refused.lastError).toBe('Wake lock permission denied');
    const none = new WakeLockKeeper(undefined, new FakeDocument() as unknown as Document);
    none.update(true);
    await settle();
    expect(none.held).toBe(false);
  });
});
