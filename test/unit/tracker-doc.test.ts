/** docs/tracker-protocol.md is the protocol's definition: its limits and reasons must match the code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REJECT_REASONS } from '../../signal-server/metrics.ts';
import { DEFAULT_TRACKER_OPTIONS, TRACKER_ENV, type TrackerOptions } from '../../signal-server/tracker/options.ts';
import { DEFAULT_VALIDATION_LIMITS } from '../../shared/tracker/validate.ts';

const doc = readFileSync(new URL('../../docs/tracker-protocol.md', import.meta.url), 'utf8');

describe('docs/tracker-protocol.md', () => {
  it('documents every tracker option with its default', () => {
    for (const key of Object.keys(TRACKER_ENV) as Array<keyof TrackerOptions>) {
      const variable = TRACKER_ENV[key];
      const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${variable}\``));
      expect(row, `${variable} missing from the limits table`).toBeDefined();
      expect(row).toContain(String(DEFAULT_TRACKER_OPTIONS[key]));
    }
  });

  it('documents every reject reason', () => {
    for (const reason of REJECT_REASONS) expect(doc).toContain(`| \`${reason}\` |`);
  });

  it('states the validators’ own limits', () => {
    expect(doc).toContain(`| \`MAX_SDP_BYTES\` | ${DEFAULT_VALIDATION_LIMITS.maxSdpLength} |`);
    expect(doc).toContain(`| \`MAX_OFFERS_PER_ANNOUNCE\` | ${DEFAULT_VALIDATION_LIMITS.maxOffers} |`);
  });
});
