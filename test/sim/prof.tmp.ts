import { scenario } from './scenarios.ts';
import { simulate } from './sim-swarm.ts';
const r = await simulate(scenario('homogeneous', Number(process.env.N ?? 100), 1));
console.log(r.seconds, r.dP2p, r.events, r.wallSeconds, r.rssMiB, r.allPiecesOutMs, r.seedUtilisation); console.log(r.utilisation.map((u) => (u.all * 100).toFixed(0)).join(" ")); console.log(r.copies.map((c) => c.min + "/" + c.median + "/" + c.max).join(" "));
export {};
