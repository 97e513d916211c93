/**
 * Lets a string option's value begin with "-". Link keys are base64url, so one in 64 starts with
 * "-", and node's parseArgs refuses `--key -Abc…` as ambiguous. Rewriting such a pair as
 * `--key=-Abc…` keeps the usual spelling working; a value that is itself one of the command's
 * options (`--tracker --keep`) is left alone, so a forgotten value is still reported as missing.
 */
import type { ParseArgsConfig } from 'node:util';

export function inlineDashValues(args: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const stringOption = new Map<string, string>();
  const known = new Set<string>(['--', '-h', '--help']);
  for (const [name, spec] of Object.entries(options)) {
    known.add(`--${name}`);
    if (spec.short !== undefined) known.add(`-${spec.short}`);
    if (spec.type !== 'string') continue;
    stringOption.set(`--${name}`, name);
    if (spec.short !== undefined) stringOption.set(`-${spec.short}`, name);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = stringOption.get(arg);
    const next = args[i + 1];
    if (name !== undefined && next !== undefined && next.startsWith('-') && !known.has(next) && !known.has(next.split('=')[0]!)) {
      out.push(`--${name}=${next}`);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}
