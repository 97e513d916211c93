/** `npm run bench:stream:report [NAME]`: renders test/bench/results/NAME.md (default stream) again from that run's NAME.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR } from './lib/report.ts';
import { streamGoals, streamReport, type StreamResults } from './lib/stream-report.ts';

const name = process.argv[2] ?? 'stream';
const json = JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as StreamResults;
json.goals = streamGoals(json.runs);
writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(join(RESULTS_DIR, `${name}.md`), `${streamReport(json)}\n`);
process.stdout.write(`rendered ${join(RESULTS_DIR, `${name}.md`)} from the run of ${json.machine.date} (commit ${json.commit})\n`);
