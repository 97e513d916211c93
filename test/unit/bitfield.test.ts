import { describe, expect, it } from 'vitest';
import { Bitfield } from '../../shared/bitfield.ts';

describe('Bitfield', () => {
  it('uses BEP 3 bit order: piece 0 is the high bit of byte 0', () => {
    const b = new Bitfield(10);
    b.set(0);
    b.set(9);
    expect([...b.bytes]).toEqual([0b1000_0000, 0b0100_0000]);
    expect(b.toString()).toBe('1000000001');
    expect(b.count()).toBe(2);
  });

  it('accepts a wire bitfield of the exact size with clear spare bits only', () => {
    expect(Bitfield.fromWire(new Uint8Array([0xff, 0xc0]), 10)?.complete()).toBe(true);
    expect(Bitfield.fromWire(new Uint8Array([0xff, 0xe0]), 10)).toBeNull();
    expect(Bitfield.fromWire(new Uint8Array([0xff]), 10)).toBeNull();
    expect(Bitfield.fromWire(new Uint8Array([0xff, 0, 0]), 10)).toBeNull();
  });

  it('ignores indices out of range instead of writing past the end', () => {
    const b = new Bitfield(3);
    b.set(3);
    b.set(-1);
    expect(b.get(3)).toBe(false);
    expect([...b.bytes]).toEqual([0]);
  });
});
