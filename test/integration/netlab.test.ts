/**
 * The network lab's own faithfulness: NATs map as their kind says, the delay line never releases a
 * packet early, loses what its seeded generator says and nothing else, never reorders under jitter,
 * and the lab leaves no namespace behind.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { dropPct, NetLab, PUBLIC_HOST_ADDRESS, type LabHost } from '../netlab/lab.ts';

let lab: NetLab | undefined;
afterEach(() => {
  lab?.destroy();
  lab = undefined;
});

/** A UDP sink on the public host: replies to each datagram with it (echo) and reports what it saw at the end. */
const SINK = `
const s = require('node:dgram').createSocket('udp4');
const seen = [];
s.on('message', (m, r) => { seen.push({ seq: m.readUInt32BE(0), from: r.address + ':' + r.port, to: m.readUInt16BE(4) }); s.send(m, r.port, r.address); });
s.bind(Number(process.argv[1]), '${PUBLIC_HOST_ADDRESS}', () => console.log('listening'));
process.on('SIGTERM', () => { console.log(JSON.stringify(seen)); process.exit(0); });
`;

/** Sends `count` numbered datagrams from one local port to each of `ports`, paced, and reports round trips of the echoes it got back. */
const SENDER = `
const [count, gapMs, ...ports] = process.argv.slice(1).map(Number);
const s = require('node:dgram').createSocket('udp4');
const sentAt = new Map(); const rtts = [];
s.on('message', (m) => { const k = m.readUInt32BE(0) + ':' + m.readUInt16BE(4); rtts.push(Number(process.hrtime.bigint() - sentAt.get(k)) / 1e6); });
s.bind(40000, () => {
  let i = 0;
  const tick = () => {
    for (const port of ports) { const b = Buffer.alloc(64); b.writeUInt32BE(i, 0); b.writeUInt16BE(port, 4); sentAt.set(i + ':' + port, process.hrtime.bigint()); s.send(b, port, '${PUBLIC_HOST_ADDRESS}'); }
    if (++i < count) setTimeout(tick, gapMs); else setTimeout(() => { console.log(JSON.stringify(rtts)); process.exit(0); }, 1500);
  };
  tick();
});
`;

async function sink(port: number) {
  const child = lab!.spawn(lab!.pub, process.execPath, ['-e', SINK, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve) => child.stdout!.on('data', () => out.includes('listening') && resolve()));
  return {
    async stop(): Promise<Array<{ seq: number; from: string; to: number }>> {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
      return JSON.parse(out.slice(out.indexOf('\n') + 1).trim()) as Array<{ seq: number; from: string; to: number }>;
    },
  };
}

/** Sends `count` datagrams of `bytes` to the public host's `port` as fast as the socket takes them, then exits. */
const BLAST = `
const [count, bytes, port] = process.argv.slice(1).map(Number);
const s = require('node:dgram').createSocket('udp4');
let done = 0;
for (let i = 0; i < count; i++) s.send(Buffer.alloc(bytes), port, '${PUBLIC_HOST_ADDRESS}', () => { if (++done === count) s.close(); });
`;

function send(host: LabHost, count: number, gapMs: number, ports: number[]): number[] {
  return JSON.parse(lab!.exec(host, process.execPath, ['-e', SENDER, String(count), String(gapMs), ...ports.map(String)])) as number[];
}

describe('the network lab', () => {
  it('a full-cone NAT keeps one public port for every destination; a symmetric one picks a new port per destination', async () => {
    lab = new NetLab();
    const cone = lab.addHost('cone', 'full-cone');
    const sym = lab.addHost('sym', 'symmetric');
    const sinks = [await sink(5001), await sink(5002)];
    send(cone, 1, 1, [5001, 5002]);
    send(sym, 1, 1, [5001, 5002]);
    const seen = (await Promise.all(sinks.map((s) => s.stop()))).flat();
    const from = (host: LabHost) => new Set(seen.filter((p) => p.from.startsWith(`${host.publicAddress}:`)).map((p) => p.from));
    expect([...from(cone)]).toEqual([`${cone.publicAddress}:40000`]);
    expect(from(sym).size).toBe(2);
  }, 60_000);

  it('the delay line never delivers early, loses some packets (not most) at 5 %, and keeps order under jitter', async () => {
    lab = new NetLab();
    const host = lab.addHost('far', 'full-cone', { oneWayDelayMs: 25, jitterMs: 10, lossPct: 5, seed: 7 });
    await lab.linksReady();
    const s = await sink(5003);
    const count = 600;
    const rtts = send(host, count, 2, [5003]);
    const seen = await s.stop();
    // Each round trip crosses the link twice: at least 2 × 25 ms, whatever the machine is doing.
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(50);
    // 5 % each way: of 600 sent, about 30 lost on the way up, and of the echoes about 5 % more.
    expect(seen.length).toBeGreaterThan(count * 0.9);
    expect(seen.length).toBeLessThan(count);
    expect(rtts.length).toBeLessThan(seen.length);
    // Jitter delays, never reorders: the sink saw the sequence numbers rising.
    const seqs = seen.map((p) => p.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }, 60_000);

  it("a shaped uplink's counters show the packets its full queue dropped, and none while the sender keeps under its rate", async () => {
    lab = new NetLab();
    // 800 kbit/s = 100 kB/s: its queue holds 400 ms, about 40 kB.
    const host = lab.addHost('narrow', 'full-cone', { upKbit: 800 });
    await lab.linksReady();
    const s = await sink(5004);
    const start = lab.uplinkCounters(host)!;
    // 300 datagrams of 64 bytes, one per 2 ms (~10 kB/s with headers): far under the rate.
    send(host, 300, 2, [5004]);
    const gentle = lab.uplinkCounters(host)!;
    expect(gentle.sentPackets - start.sentPackets).toBeGreaterThanOrEqual(300);
    expect(dropPct(start, gentle)).toBe(0);
    // 1,000 datagrams of 1,200 bytes at once (1.2 MB): 30 × what the queue holds.
    lab.exec(host, process.execPath, ['-e', BLAST, '1000', '1200', '5004']);
    const blasted = lab.uplinkCounters(host)!;
    expect(blasted.droppedPackets - gentle.droppedPackets).toBeGreaterThan(0);
    expect(dropPct(gentle, blasted)).toBeGreaterThan(50);
    await s.stop();
    // A host with no shaped link has no counters.
    expect(lab.uplinkCounters(lab.addHost('plain', 'full-cone'))).toBeNull();
  }, 60_000);

  it('destroy leaves no namespace of the lab behind', () => {
    lab = new NetLab();
    lab.addHost('x', 'symmetric', { oneWayDelayMs: 5 });
    lab.destroy();
    lab = undefined;
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`tslab${process.pid}-`);
  });
});
