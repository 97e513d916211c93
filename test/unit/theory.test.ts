/** The chapter's bounds, checked against values worked by hand. */
import { describe, expect, it } from 'vitest';
import { dClientServer, dPeerToPeer, uniform, uniformCurves } from '../../shared/theory.ts';
import { swarmPlot } from '../../shared/distribution-plot.ts';

const MiB = 1024 * 1024;

describe('distribution bounds', () => {
  it('client-server grows linearly with N; P2P levels off at F/u_s when u_i = u_s', () => {
    // F = 16 MiB, u_s = u_i = 1 MiB/s, downloads unlimited.
    expect(dClientServer(uniform(16 * MiB, MiB, MiB, 1))).toBe(16);
    expect(dClientServer(uniform(16 * MiB, MiB, MiB, 8))).toBe(128);
    expect(dPeerToPeer(uniform(16 * MiB, MiB, MiB, 1))).toBe(16);
    // N·F/(u_s + N·u_i) = 128/9 < 16 = F/u_s
    expect(dPeerToPeer(uniform(16 * MiB, MiB, MiB, 8))).toBe(16);
  });

  it('slow peers uploading: the aggregate term dominates; a slow downloader: F/d_min does', () => {
    // u_i = u_s/4, N = 8: 8·F/(u_s + 2·u_s) = 8F/(3u_s) > F/u_s
    expect(dPeerToPeer(uniform(12 * MiB, MiB, MiB / 4, 8))).toBeCloseTo((8 * 12) / 3, 10);
    expect(dPeerToPeer({ F: 10 * MiB, us: 10 * MiB, ui: [MiB, MiB], dMin: MiB / 2 })).toBe(20);
    expect(dClientServer({ F: 10 * MiB, us: 10 * MiB, ui: [MiB, MiB], dMin: MiB / 2 })).toBe(20);
    // Peers with different uploads: Σu_i counts each.
    expect(dPeerToPeer({ F: 6 * MiB, us: MiB, ui: [0, 0, MiB], dMin: Infinity })).toBe(9);
  });

  it('the curves agree with the bounds at whole N and are smooth between', () => {
    const c = uniformCurves(16 * MiB, MiB, MiB / 4);
    for (const n of [1, 2, 3, 8, 16]) {
      expect(c.dCs(n)).toBeCloseTo(dClientServer(uniform(16 * MiB, MiB, MiB / 4, n)), 9);
      expect(c.dP2p(n)).toBeCloseTo(dPeerToPeer(uniform(16 * MiB, MiB, MiB / 4, n)), 9);
    }
    expect(c.dCs(2.5)).toBeCloseTo(40, 9);
  });

  it('the plot draws both bound curves and a point per measured run', () => {
    const svg = swarmPlot([{ system: 'P2P run', N: 1, seconds: { min: 2, median: 2, max: 2 } }, { system: 'P2P run', N: 4, seconds: { min: 3, median: 3, max: 3 } }], {
      dP2p: (n) => dPeerToPeer(uniform(MiB, MiB, MiB, n)),
      dCs: (n) => dClientServer(uniform(MiB, MiB, MiB, n)),
    });
    expect(svg.match(/<circle [^>]*r="4"/g)).toHaveLength(2 + 1);
    expect(svg).toContain('P2P bound');
    expect(svg).toContain('client-server bound');
  });
});
