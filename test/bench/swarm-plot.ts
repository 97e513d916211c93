/** `npm run bench:swarm:plot`: redraws swarm.md and swarm.svg from the committed swarm.json, without measuring again. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './lib/report.ts';
import { writeSwarmReport, type SwarmResult } from './lib/swarm-report.ts';

writeSwarmReport(JSON.parse(readFileSync(join(RESULTS_DIR, 'swarm.json'), 'utf8')) as SwarmResult);
