/** `npm run bench:stream:report`: renders test/bench/results/stream.md again from that run's stream.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './lib/report.ts';
import { streamGoals, streamReport, type StreamResults } from './lib/stream-report.ts';

const json = JSON.parse(readFileSync(join(RESULTS_DIR, 'stream.json'), 'utf8')) as StreamResults;
json.goals = streamGoals(json.runs);
writeFileSync(join(RESULTS_DIR, 'stream.json'), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(join(RESULTS_DIR, 'stream.md'), `${streamReport(json)}\n`);
process.stdout.write(`rendered ${join(RESULTS_DIR, 'stream.md')} from the run of ${json.machine.date} (commit ${json.commit})\n`);
