/** Who gets the next block under an upload limit: pure, so tested on fixtures. */
import { describe, expect, it } from 'vitest';
import { MAX_UPLOAD_WAIT_MS, pickUpload, type UploadCandidate } from '../../client/engine/upload-order.ts';

/** `a:3/7@5` = peer a, 3 blocks of its head piece already sent, 7 neighbours hold that piece, last served at 5 ms. */
const candidates = (table: string): UploadCandidate[] =>
  table.split(/\s+/).map((cell, piece) => {
    const [, key, sent, availability, lastServed] = /^(\w+):(\d+)\/(\d+)@(\d+)$/.exec(cell)!;
    return { key: key!, piece, blocksSent: Number(sent), availability: Number(availability), lastServedMs: Number(lastServed) };
  });

describe('pickUpload', () => {
  const NOW = 100; // every fixture peer below was served within MAX_UPLOAD_WAIT_MS of this, unless a test says otherwise
  it('finishes the piece a peer is part-way through before starting any other, however rare', () => {
    expect(pickUpload(candidates('a:0/0@0 b:3/7@9 c:0/1@0'), NOW)).toBe('b');
    // Of two part-way pieces, the one closer to whole (it becomes forwardable sooner).
    expect(pickUpload(candidates('a:2/0@0 b:9/7@9 c:4/1@0'), NOW)).toBe('b');
  });

  it('otherwise starts the piece fewest neighbours hold', () => {
    expect(pickUpload(candidates('a:0/3@0 b:0/1@9 c:0/2@0'), NOW)).toBe('b');
  });

  it('otherwise serves the peer that waited longest, so equals take turns', () => {
    expect(pickUpload(candidates('a:0/2@30 b:0/2@10 c:0/2@20'), NOW)).toBe('b');
    // Taking turns: serving the chosen peer (stamping it) hands the next turn to the next-longest waiter.
    const table = candidates('a:0/2@30 b:0/2@10 c:0/2@20');
    const order: string[] = [];
    for (let now = 100; now < 106; now++) {
      const key = pickUpload(table, now)!;
      order.push(key);
      table.find((c) => c.key === key)!.lastServedMs = now;
    }
    expect(order).toEqual(['b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('serves a peer kept waiting longer than MAX_UPLOAD_WAIT_MS before rarer pieces, but after the piece part-way', () => {
    const now = 10_000;
    const late = now - MAX_UPLOAD_WAIT_MS - 1;
    // b's piece is common, but b has waited too long; a, served just now, asks for a rarer one.
    expect(pickUpload(candidates(`a:0/0@${now - 10} b:0/5@${late}`), now)).toBe('b');
    expect(pickUpload(candidates(`a:0/0@${now - 10} b:0/5@${late + 2}`), now)).toBe('a');
    // Of two kept waiting, the longer; and a piece part-way still goes first.
    expect(pickUpload(candidates(`a:0/0@${late - 50} b:0/5@${late - 100}`), now)).toBe('b');
    expect(pickUpload(candidates(`a:0/0@${late} c:3/9@${now - 10}`), now)).toBe('c');
  });

  it('says null when nobody is waiting', () => {
    expect(pickUpload([], NOW)).toBeNull();
  });
});
