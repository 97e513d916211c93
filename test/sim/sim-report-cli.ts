/** `npm run sim:report`: redraws sim.md, sim.svg and the demo's simulated curve from the committed sim.json, without simulating again. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from '../bench/lib/report.ts';
import { writeSimReport, type SimReport } from './sim-report.ts';

writeSimReport(JSON.parse(readFileSync(join(RESULTS_DIR, 'sim.json'), 'utf8')) as SimReport);
