/** The simulator report's churn section: every seed's fate, by N, with the mean. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { churnSeedLines, simMarkdown, type SimReport } from '../sim/sim-report.ts';

describe('churnSeedLines', () => {
  it('lists each seed\'s finished (and stuck) peers per N, smallest N first, with the mean', () => {
    const lines = churnSeedLines([
      { N: 100, seed: 1, finished: 18, stuck: 75, seconds: 267.7 },
      { N: 10, seed: 1, finished: 6, stuck: 3, seconds: 233.6 },
      { N: 100, seed: 2, finished: 84, stuck: 0, seconds: 120 },
      { N: 100, seed: 3, finished: 88, stuck: 0, seconds: 118 },
    ]);
    expect(lines).toEqual([
      '- N = 10: 6 (3 stuck) of 10 finished under seeds 1; mean 6.0',
      '- N = 100: 18 (75 stuck), 84, 88 of 100 finished under seeds 1, 2, 3; mean 63.3',
    ]);
  });
});

describe('simMarkdown', () => {
  const report = JSON.parse(readFileSync(new URL('../bench/results/sim.json', import.meta.url), 'utf8')) as SimReport;

  it('prints the note on a run\'s conditions, marked as not measured, only when there is one', () => {
    const note = 'Other simulations shared the machine for ten minutes.';
    const withNote = simMarkdown({ ...report, runNote: note });
    expect(withNote).toContain(`**Note on this run's conditions, added by whoever ran it (not measured):** ${note}`);
    expect(simMarkdown({ ...report, runNote: undefined })).not.toContain("Note on this run's conditions");
  });
});
