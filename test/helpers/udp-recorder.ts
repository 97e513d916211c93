/**
 * A UDP forwarder that keeps a copy of every datagram it passes on: put in front of a TURN server,
 * it holds exactly what a relay operator (or anyone on the relay's path) could capture. Each client
 * address gets an upstream socket of its own, so the server sees one client per client.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface UdpRecorder {
  /** Where clients send (127.0.0.1). */
  port: number;
  /** Every datagram's payload, both directions, in arrival order. */
  datagrams(): Buffer[];
  /** Total bytes forwarded (both directions). */
  bytes(): number;
  close(): Promise<void>;
}

export async function startUdpRecorder(upstreamPort: number, upstreamHost = '127.0.0.1'): Promise<UdpRecorder> {
  const front = createSocket('udp4');
  const recorded: Buffer[] = [];
  let total = 0;
  const record = (msg: Buffer) => {
    recorded.push(Buffer.from(msg));
    total += msg.length;
  };
  const upstreams = new Map<string, Socket>();
  const upstreamFor = (client: RemoteInfo): Socket => {
    const key = `${client.address}:${client.port}`;
    let up = upstreams.get(key);
    if (!up) {
      up = createSocket('udp4');
      up.on('message', (msg) => {
        record(msg);
        front.send(msg, client.port, client.address);
      });
      up.on('error', () => {}); // a client gone: its datagrams are simply dropped, as on a network
      up.bind(0, '127.0.0.1');
      upstreams.set(key, up);
    }
    return up;
  };
  front.on('message', (msg, client) => {
    record(msg);
    upstreamFor(client).send(msg, upstreamPort, upstreamHost);
  });
  front.on('error', () => {});
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    datagrams: () => recorded,
    bytes: () => total,
    async close() {
      for (const up of upstreams.values()) up.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
