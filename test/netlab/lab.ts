/**
 * A network lab on one machine: hosts in network namespaces of their own, each behind its own
 * router namespace with a NAT, all routers joined by a bridge (the "internet") on which a public
 * host runs the tracker and coturn. Only addresses inside these namespaces are used; `destroy()`
 * (and the next lab, for one a crashed run left behind) removes every namespace and the
 * processes in them.
 *
 *   host-a (10.1.0.2) ─ router-a [NAT] (203.0.113.11) ─┐
 *   host-b (10.2.0.2) ─ router-b [NAT] (203.0.113.12) ─┼─ bridge in "inet" ─ pub (203.0.113.2)
 *   host-c (203.0.113.13, no NAT) ─────────────────────┘
 *
 * NAT kinds (nftables in the router):
 * - `full-cone`: endpoint-independent mapping and filtering. Masquerade keeps the host's source
 *   port whenever it is free (the same public port for every destination), and every UDP packet
 *   that arrives at the router's public address is forwarded to its one host, whoever sent it.
 * - `symmetric`: address- and port-dependent mapping (`masquerade fully-random`: a new random
 *   public port for each destination), and only replies to what the host sent get in (conntrack).
 *   Two such hosts cannot reach each other directly: the port STUN saw is not the port the other
 *   peer is sent from, so only a relay (TURN) joins them.
 * - `none`: the host sits on the public segment itself.
 * Must run as root (CI does); `available()` says whether this machine can.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DELAY_LINE_SOURCE = fileURLToPath(new URL('./delayline.c', import.meta.url));

export type NatKind = 'full-cone' | 'symmetric' | 'none';

/**
 * A host's access link (between it and its router), each direction on its own: "up" is what the
 * host sends. Delay, jitter and loss come from the delay line (delayline.c), rates from the
 * kernel's tbf. Two shaped hosts see a round trip of 2 × (their one-way delays summed).
 */
export interface LinkSpec {
  oneWayDelayMs?: number;
  /** Up to this much more delay, drawn per packet, never reordering. */
  jitterMs?: number;
  /** Per direction, in percent. */
  lossPct?: number;
  upKbit?: number;
  downKbit?: number;
  /** Seeds the loss generator (default 1): the same seed drops the same packets. */
  seed?: number;
}

/** The public segment: TEST-NET-3 (RFC 5737), never routed on the real internet. */
export const PUBLIC_PREFIX = '203.0.113';
export const PUBLIC_HOST_ADDRESS = `${PUBLIC_PREFIX}.2`;
/**
 * In a shaped host's link namespace, the device towards its router (its uplink's way out, where
 * tbf shapes and uplinkCounters() reads) and the one towards the host (its downlink's).
 */
const UPLINK_DEVICE = 'torouter';
const DOWNLINK_DEVICE = 'tohost';
/** Every lab's namespaces start with this, then the owning process id (to sweep a dead run's). */
const NS_PREFIX = 'tslab';

export interface LabHost {
  name: string;
  /** Its namespace: run things in it with `lab.spawn(host, …)` or `ip netns exec`. */
  ns: string;
  nat: NatKind;
  /** Its own address (private behind a NAT). */
  address: string;
  /** The address the public segment sees it as. */
  publicAddress: string;
  /** The namespace of its shaped access link, if it has one (uplinkCounters()). */
  linkNs?: string;
}

/** What a rate-shaped uplink's queue (tbf) has done: packets it forwarded and packets it dropped because the queue was full. */
export interface UplinkCounters {
  sentPackets: number;
  droppedPackets: number;
}

/** The counters in `tc -s qdisc show dev …` output for its tbf qdisc; null if it has none. */
export function parseTbfCounters(text: string): UplinkCounters | null {
  const m = /qdisc tbf [^\n]*\n\s*Sent \d+ bytes (\d+) pkt \(dropped (\d+)/.exec(text);
  return m ? { sentPackets: Number(m[1]), droppedPackets: Number(m[2]) } : null;
}

/** Of the packets offered to an uplink between two readings, the percentage its full queue dropped. */
export function dropPct(before: UplinkCounters, after: UplinkCounters): number {
  const sent = after.sentPackets - before.sentPackets;
  const dropped = after.droppedPackets - before.droppedPackets;
  return sent + dropped > 0 ? (100 * dropped) / (sent + dropped) : 0;
}

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function inNs(ns: string, cmd: string, args: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listNamespaces(): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n !== '');
}

function deleteNamespace(ns: string): void {
  // A namespace with processes in it outlives `ip netns delete`: stop them first.
  let pids: string[] = [];
  try {
    pids = ip('netns', 'pids', ns).split('\n').filter((p) => p !== '');
  } catch {
    /* already gone */
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* exited */
    }
  }
  try {
    ip('netns', 'delete', ns);
  } catch {
    /* already gone */
  }
}

export class NetLab {
  private readonly hosts: LabHost[] = [];
  private readonly children = new Set<ChildProcess>();
  /** Each shaped link's delay line, by its namespace. */
  private readonly delayLines = new Map<string, Promise<void>>();
  private readonly tmp = mkdtempSync(join(tmpdir(), 'tabswarm-netlab-'));
  private nextIndex = 1;
  private readonly inet: string;
  /** The public host: tracker, app and coturn run here. */
  readonly pub: LabHost;

  /** Whether this machine can build a lab (root, iproute2, nftables). */
  static available(): { ok: true } | { ok: false; why: string } {
    if (process.getuid?.() !== 0) return { ok: false, why: 'the network lab needs root (network namespaces)' };
    try {
      execFileSync('nft', ['--version'], { stdio: 'ignore' });
      ip('netns', 'list');
    } catch (err) {
      return { ok: false, why: `the network lab needs iproute2 and nftables: ${String(err)}` };
    }
    return { ok: true };
  }

  constructor() {
    NetLab.sweep();
    this.inet = this.namespace('inet');
    inNs(this.inet, 'ip', ['link', 'add', 'br0', 'type', 'bridge']);
    inNs(this.inet, 'ip', ['link', 'set', 'br0', 'up']);
    const ns = this.namespace('pub');
    this.attach(ns, 'eth0', `${PUBLIC_HOST_ADDRESS}/24`);
    this.pub = { name: 'pub', ns, nat: 'none', address: PUBLIC_HOST_ADDRESS, publicAddress: PUBLIC_HOST_ADDRESS };
  }

  /** Removes what labs of processes that no longer run left behind. */
  static sweep(): void {
    for (const ns of listNamespaces()) {
      const m = new RegExp(`^${NS_PREFIX}(\\d+)-`).exec(ns);
      if (m && !alive(Number(m[1]))) deleteNamespace(ns);
    }
  }

  private namespace(role: string): string {
    const ns = `${NS_PREFIX}${process.pid}-${role}`;
    deleteNamespace(ns);
    ip('netns', 'add', ns);
    inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth from `ns` (named `dev`, with `cidr`) to the internet bridge. */
  private attach(ns: string, dev: string, cidr: string): void {
    const bridgeSide = `v${this.nextIndex}-${dev}`.slice(0, 15);
    ip('link', 'add', dev, 'netns', ns, 'type', 'veth', 'peer', 'name', bridgeSide, 'netns', this.inet);
    inNs(this.inet, 'ip', ['link', 'set', bridgeSide, 'master', 'br0', 'up']);
    inNs(ns, 'ip', ['addr', 'add', cidr, 'dev', dev]);
    inNs(ns, 'ip', ['link', 'set', dev, 'up']);
  }

  /** A new host behind a NAT of this kind (or on the public segment); `link` shapes its access link (NAT hosts only). */
  addHost(name: string, nat: NatKind, link?: LinkSpec): LabHost {
    const k = this.nextIndex++;
    const publicAddress = `${PUBLIC_PREFIX}.${10 + k}`;
    const ns = this.namespace(name);
    if (nat === 'none') {
      this.attach(ns, 'eth0', `${publicAddress}/24`);
      const host = { name, ns, nat, address: publicAddress, publicAddress };
      this.hosts.push(host);
      return host;
    }
    const router = this.namespace(`${name}-nat`);
    const lanPrefix = `10.${k}.0`;
    this.attach(router, 'wan', `${publicAddress}/24`);
    let hostAddress: string;
    let linkNs: string | undefined;
    if (!link) {
      ip('link', 'add', 'lan', 'netns', router, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      hostAddress = `${lanPrefix}.2`;
      inNs(ns, 'ip', ['addr', 'add', `${hostAddress}/24`, 'dev', 'eth0']);
      inNs(ns, 'ip', ['link', 'set', 'eth0', 'up']);
      inNs(ns, 'ip', ['route', 'add', 'default', 'via', `${lanPrefix}.1`]);
    } else {
      // host ─ [link: tbf both ways, every packet through the delay line] ─ router
      const shaper = this.namespace(`${name}-link`);
      linkNs = shaper;
      const hostPrefix = `10.${k}.1`;
      hostAddress = `${hostPrefix}.2`;
      ip('link', 'add', 'lan', 'netns', router, 'type', 'veth', 'peer', 'name', UPLINK_DEVICE, 'netns', shaper);
      ip('link', 'add', DOWNLINK_DEVICE, 'netns', shaper, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      inNs(shaper, 'ip', ['addr', 'add', `${lanPrefix}.2/24`, 'dev', UPLINK_DEVICE]);
      inNs(shaper, 'ip', ['addr', 'add', `${hostPrefix}.1/24`, 'dev', DOWNLINK_DEVICE]);
      for (const dev of [UPLINK_DEVICE, DOWNLINK_DEVICE]) inNs(shaper, 'ip', ['link', 'set', dev, 'up']);
      inNs(shaper, 'ip', ['route', 'add', 'default', 'via', `${lanPrefix}.1`]);
      inNs(ns, 'ip', ['addr', 'add', `${hostAddress}/24`, 'dev', 'eth0']);
      inNs(ns, 'ip', ['link', 'set', 'eth0', 'up']);
      inNs(ns, 'ip', ['route', 'add', 'default', 'via', `${hostPrefix}.1`]);
      this.shapeLink(shaper, `${hostPrefix}.0/24`, link);
    }
    inNs(router, 'ip', ['addr', 'add', `${lanPrefix}.1/24`, 'dev', 'lan']);
    inNs(router, 'ip', ['link', 'set', 'lan', 'up']);
    if (link) inNs(router, 'ip', ['route', 'add', `10.${k}.1.0/24`, 'via', `${lanPrefix}.2`]);
    inNs(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    inNs(router, 'nft', ['-f', '-'], natRules(nat, hostAddress));
    const host: LabHost = { name, ns, nat, address: hostAddress, publicAddress, ...(linkNs ? { linkNs } : {}) };
    this.hosts.push(host);
    return host;
  }

  /** The delay line, built once per lab from its C source (cc is on every machine that builds native addons). */
  private delayLine(): string {
    const binary = join(this.tmp, 'delayline');
    if (!existsSync(binary)) execFileSync('cc', ['-O2', '-Wall', '-o', binary, DELAY_LINE_SOURCE], { stdio: ['ignore', 'pipe', 'pipe'] });
    return binary;
  }

  /** In the link namespace: every forwarded packet goes through tun0 (the delay line) once; tbf shapes each direction. */
  private shapeLink(shaper: string, hostSubnet: string, link: LinkSpec): void {
    inNs(shaper, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    for (const conf of ['all', 'default']) inNs(shaper, 'sysctl', ['-qw', `net.ipv4.conf.${conf}.rp_filter=0`]);
    const delayed = (link.oneWayDelayMs ?? 0) > 0 || (link.jitterMs ?? 0) > 0 || (link.lossPct ?? 0) > 0;
    if (delayed) {
      inNs(shaper, 'ip', ['tuntap', 'add', 'dev', 'tun0', 'mode', 'tun']);
      inNs(shaper, 'ip', ['link', 'set', 'tun0', 'up']);
      inNs(shaper, 'sysctl', ['-qw', 'net.ipv4.conf.tun0.rp_filter=0']);
      // Arriving from either side: to the delay line. Written back by it (arriving on tun0): the main table.
      inNs(shaper, 'ip', ['route', 'add', 'default', 'dev', 'tun0', 'table', '100']);
      for (const dev of [UPLINK_DEVICE, DOWNLINK_DEVICE]) inNs(shaper, 'ip', ['rule', 'add', 'iif', dev, 'lookup', '100']);
      const us = (ms: number | undefined) => String(Math.round((ms ?? 0) * 1000));
      const ppm = String(Math.round((link.lossPct ?? 0) * 10_000));
      const child = this.spawnIn(shaper, this.delayLine(), ['tun0', hostSubnet, us(link.oneWayDelayMs), us(link.jitterMs), ppm, us(link.oneWayDelayMs), us(link.jitterMs), ppm, String(link.seed ?? 1)], { stdio: ['ignore', 'pipe', 'pipe'] });
      this.delayLines.set(
        shaper,
        new Promise<void>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout!.on('data', (c: Buffer) => {
            out += c.toString();
            if (out.includes('ready')) resolve();
          });
          child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
          child.on('exit', (code) => reject(new Error(`the delay line of ${shaper} exited (${code}): ${err}`)));
        }),
      );
    }
    const tbf = (dev: string, kbit: number | undefined) => {
      if (!kbit) return;
      // A burst of 10 ms at the rate (at least 16 KiB), so tbf can keep up at high rates.
      const burstBytes = Math.max(16 * 1024, Math.round((kbit * 1000) / 8 / 100));
      inNs(shaper, 'tc', ['qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', String(burstBytes), 'latency', '400ms']);
    };
    tbf(UPLINK_DEVICE, link.upKbit);
    tbf(DOWNLINK_DEVICE, link.downKbit);
  }

  /** Waits until every delay line started so far has attached to its device. */
  async linksReady(): Promise<void> {
    await Promise.all(this.delayLines.values());
  }

  /** Starts a program inside a host's namespace; it is killed by destroy(). */
  spawn(host: LabHost, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    return this.spawnIn(host.ns, cmd, args, opts);
  }

  private spawnIn(ns: string, cmd: string, args: string[], opts: SpawnOptions): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], opts);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** A script that starts Chromium inside the host's namespace: Playwright's executablePath. */
  chromiumIn(host: LabHost, chromium = '/usr/bin/chromium'): string {
    const path = join(this.tmp, `chromium-${host.name}.sh`);
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${host.ns} ${chromium} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  /**
   * Its uplink queue's counters so far (tbf on its access link's way out); null for a host with no
   * shaped uplink. A benchmark reads them before and after a run: a queue that dropped packets
   * means the senders behind it (SCTP backs off only on loss) overfilled it.
   */
  uplinkCounters(host: LabHost): UplinkCounters | null {
    if (!host.linkNs) return null;
    return parseTbfCounters(inNs(host.linkNs, 'tc', ['-s', 'qdisc', 'show', 'dev', UPLINK_DEVICE]));
  }

  /** Runs a command in a host's namespace to its end; returns its output. */
  exec(host: LabHost, cmd: string, args: string[]): string {
    return inNs(host.ns, cmd, args);
  }

  /** Stops every process started in the lab and removes every namespace (and so every link) it made. */
  destroy(): void {
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of listNamespaces()) if (ns.startsWith(`${NS_PREFIX}${process.pid}-`)) deleteNamespace(ns);
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** The router's nftables ruleset for a NAT kind; `host` is the one host behind it. */
export function natRules(nat: Exclude<NatKind, 'none'>, host: string): string {
  const inbound = nat === 'full-cone' ? `    iifname "wan" meta l4proto udp dnat to ${host}\n` : '';
  const masquerade = nat === 'full-cone' ? 'masquerade' : 'masquerade fully-random';
  return `table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${inbound}  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" ${masquerade}
  }
}
`;
}
