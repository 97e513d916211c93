/** coalescedWriter: one write at a time, each call answered by a write that began after it. */
import { describe, expect, it } from 'vitest';
import { coalescedWriter } from '../../client/browser/coalesced-write.ts';

/** A write whose calls finish only when the test says so. */
function manualWrite() {
  const calls: Array<{ value: number; finish: (err?: Error) => void }> = [];
  const write = (value: number) => new Promise<void>((resolve, reject) => calls.push({ value, finish: (err) => (err ? reject(err) : resolve()) }));
  return { write, calls };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('coalesced writes', () => {
  it('calls made while a write runs are merged into one later write of the latest value', async () => {
    const { write, calls } = manualWrite();
    const save = coalescedWriter(write);
    const settled: number[] = [];
    const a = save(1).then(() => settled.push(1));
    await tick();
    const rest = [2, 3, 4].map((v) => save(v).then(() => settled.push(v)));
    await tick();
    expect(calls.map((c) => c.value)).toEqual([1]); // one write at a time
    calls[0]!.finish();
    await a;
    await tick();
    expect(settled).toEqual([1]); // 2–4 came after write 1 began: not answered by it
    expect(calls.map((c) => c.value)).toEqual([1, 4]);
    calls[1]!.finish();
    await Promise.all(rest);
    expect(settled).toEqual([1, 2, 3, 4]);
    expect(calls.length).toBe(2);
  });

  it('a failed write rejects the calls it answered, and the next call writes again', async () => {
    const { write, calls } = manualWrite();
    const save = coalescedWriter(write);
    const first = save(1);
    await tick();
    calls[0]!.finish(new Error('disk full'));
    await expect(first).rejects.toThrow('disk full');
    const second = save(2);
    await tick();
    calls[1]!.finish();
    await expect(second).resolves.toBeUndefined();
    expect(calls.map((c) => c.value)).toEqual([1, 2]);
  });
});
