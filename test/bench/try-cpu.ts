import { measureCpu } from '/work/main/test/bench/engine-cpu.ts';
const counts = process.argv.slice(2).map(Number);
await measureCpu(counts, 1, console.log);
