import { describe, expect, it } from 'vitest';
import { dropPct, parseTbfCounters } from '../netlab/lab.ts';

// As `tc -s qdisc show dev torouter` printed it in the lab (iproute2 6.1, Debian 12).
const TC_OUTPUT = `qdisc tbf 8038: root refcnt 3 rate 8389Kbit burst 16Kb lat 400ms
 Sent 12645221 bytes 11352 pkt (dropped 929, overlimits 33244 requeues 0)
 backlog 0b 0p requeues 0
`;

describe('the lab uplink counters', () => {
  it('reads the packets a tbf queue sent and dropped', () => {
    expect(parseTbfCounters(TC_OUTPUT)).toEqual({ sentPackets: 11352, droppedPackets: 929 });
  });

  it('is null for a device with no tbf', () => {
    expect(parseTbfCounters('qdisc noqueue 0: root refcnt 2\n Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0)\n')).toBeNull();
  });

  it('gives the dropped share of what was offered between two readings', () => {
    const before = { sentPackets: 11352, droppedPackets: 929 };
    expect(dropPct(before, { sentPackets: 11352 + 900, droppedPackets: 929 + 100 })).toBe(10);
    expect(dropPct(before, before)).toBe(0);
  });
});
