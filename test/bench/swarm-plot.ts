/** `npm run bench:swarm:plot`: redraws test/bench/results/swarm.svg from swarm.json (bench:swarm draws it too). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './lib/report.ts';
import { swarmPlot, type PlotRow } from '../../shared/distribution-plot.ts';

const result = JSON.parse(readFileSync(join(RESULTS_DIR, 'swarm.json'), 'utf8')) as { swarm: Array<PlotRow & { fileBytes: number; us: number; ui: number }> };
const rows = result.swarm.filter((r) => r.system !== 'webtorrent');
const { fileBytes: F, us, ui } = rows[0]!;
writeFileSync(join(RESULTS_DIR, 'swarm.svg'), swarmPlot(rows, { dP2p: (n) => Math.max(F / us, (n * F) / (us + n * ui)), dCs: (n) => (n * F) / us }));
process.stdout.write(`wrote ${join(RESULTS_DIR, 'swarm.svg')}\n`);
