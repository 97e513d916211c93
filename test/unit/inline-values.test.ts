/** A string option's value may begin with "-" (a base64url link key does, one time in 64). */
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { inlineDashValues } from '../../client/cli/inline-values.ts';

const OPTIONS = { key: { type: 'string' }, tracker: { type: 'string', short: 't' }, keep: { type: 'boolean' } } as const;

describe('inlineDashValues', () => {
  it('joins a string option with a value that begins with "-", so parseArgs reads it as the value', () => {
    const args = inlineDashValues(['file', '--key', '-Abc_9', '-t', '-x'], OPTIONS);
    expect(args).toEqual(['file', '--key=-Abc_9', '--tracker=-x']);
    expect(parseArgs({ args, options: OPTIONS, allowPositionals: true }).values).toEqual({ key: '-Abc_9', tracker: '-x' });
    // Without the rewrite, node refuses the same arguments as ambiguous.
    expect(() => parseArgs({ args: ['--key', '-Abc_9'], options: OPTIONS })).toThrow(/ambiguous/);
  });

  it('leaves a following option, "--" and everything after it alone, so a forgotten value is still reported', () => {
    expect(inlineDashValues(['--tracker', '--keep'], OPTIONS)).toEqual(['--tracker', '--keep']);
    expect(inlineDashValues(['--tracker', '--help'], OPTIONS)).toEqual(['--tracker', '--help']);
    expect(inlineDashValues(['--key', '--keep=1'], OPTIONS)).toEqual(['--key', '--keep=1']);
    expect(inlineDashValues(['--', '--key', '-A'], OPTIONS)).toEqual(['--', '--key', '-A']);
    expect(inlineDashValues(['--keep', '-A'], OPTIONS)).toEqual(['--keep', '-A']);
    expect(inlineDashValues(['--key', 'plain', '--key'], OPTIONS)).toEqual(['--key', 'plain', '--key']);
  });
});
