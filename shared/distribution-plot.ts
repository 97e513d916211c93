/**
 * The chapter's figure with measured points: distribution time against N, the client-server and
 * P2P lower bounds as curves, and each system's median (with min–max bars). Plain SVG text.
 */
export interface PlotRow {
  system: string;
  N: number;
  seconds: { min: number; median: number; max: number };
}

const W = 640;
const H = 400;
const PAD = { left: 56, right: 150, top: 20, bottom: 44 };
const COLORS: Record<string, string> = { tabswarm: '#2e9d5b', 'webtorrent-rarest': '#d0621f', 'webtorrent-default': '#7b4fc9', 'P2P run': '#2e9d5b', 'client-server run': '#b23b3b', 'simulated P2P': '#1f6fd0', 'simulated (homogeneous)': '#1f6fd0' };

/**
 * `logN` spaces N logarithmically (for N from 1 to 1,000, where a linear axis crowds the small
 * swarms into a corner); `maxSeconds` caps the time axis (the client-server bound grows with N and
 * would flatten everything else), the curves clipped at the top.
 */
export function swarmPlot(rows: PlotRow[], bounds: { dP2p: (n: number) => number; dCs: (n: number) => number }, opts: { logN?: boolean; maxSeconds?: number } = {}): string {
  const ns = [...new Set(rows.map((r) => r.N))].sort((a, b) => a - b);
  const maxN = Math.max(...ns);
  const maxY = opts.maxSeconds ?? Math.max(...rows.map((r) => r.seconds.max), bounds.dCs(maxN)) * 1.05;
  const span = W - PAD.left - PAD.right;
  const x = opts.logN ? (n: number) => PAD.left + (Math.log(n) / Math.log(maxN)) * span : (n: number) => PAD.left + (n / maxN) * span;
  const y = (s: number) => H - PAD.bottom - (Math.min(s, maxY) / maxY) * (H - PAD.top - PAD.bottom);
  const steps = Array.from({ length: 101 }, (_, i) => (opts.logN ? maxN ** (i / 100) : 1 + (i * (maxN - 1)) / 100));
  const curve = (f: (n: number) => number) => steps.map((n, i) => `${i ? 'L' : 'M'}${x(n).toFixed(1)},${y(f(n)).toFixed(1)}`).join(' ');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#333"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#333"/>`,
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 10}" text-anchor="middle">N (leechers)</text>`,
    `<text x="14" y="${(H - PAD.bottom + PAD.top) / 2}" transform="rotate(-90 14 ${(H - PAD.bottom + PAD.top) / 2})" text-anchor="middle">distribution time (s)</text>`,
  ];
  // A tick label too close to the previous one (8 and 10 on a log axis) is left out.
  let lastTickX = -Infinity;
  for (const n of ns) {
    if (x(n) - lastTickX < 18) continue;
    lastTickX = x(n);
    parts.push(`<text x="${x(n)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${n}</text>`);
  }
  for (let s = 0; s <= maxY; s += maxY > 1000 ? 200 : maxY > 200 ? 50 : maxY > 80 ? 20 : 10) parts.push(`<text x="${PAD.left - 6}" y="${y(s) + 4}" text-anchor="end">${s}</text><line x1="${PAD.left}" y1="${y(s)}" x2="${W - PAD.right}" y2="${y(s)}" stroke="#eee"/>`);
  parts.push(`<path d="${curve(bounds.dCs)}" fill="none" stroke="#999" stroke-dasharray="6 4"/>`);
  parts.push(`<path d="${curve(bounds.dP2p)}" fill="none" stroke="#333"/>`);
  const systems = [...new Set(rows.map((r) => r.system))];
  systems.forEach((system, i) => {
    const color = COLORS[system] ?? '#1f6fd0';
    const points = rows.filter((r) => r.system === system).sort((a, b) => a.N - b.N);
    parts.push(`<path d="${points.map((p, j) => `${j ? 'L' : 'M'}${x(p.N)},${y(p.seconds.median)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    for (const p of points) {
      parts.push(`<line x1="${x(p.N)}" y1="${y(p.seconds.min)}" x2="${x(p.N)}" y2="${y(p.seconds.max)}" stroke="${color}"/>`);
      parts.push(`<circle cx="${x(p.N)}" cy="${y(p.seconds.median)}" r="4" fill="${color}"/>`);
    }
    parts.push(`<circle cx="${W - PAD.right + 14}" cy="${PAD.top + 14 + i * 18}" r="4" fill="${color}"/><text x="${W - PAD.right + 24}" y="${PAD.top + 18 + i * 18}">${system}</text>`);
  });
  const legendY = PAD.top + 14 + systems.length * 18;
  parts.push(`<line x1="${W - PAD.right + 8}" y1="${legendY}" x2="${W - PAD.right + 20}" y2="${legendY}" stroke="#333"/><text x="${W - PAD.right + 24}" y="${legendY + 4}">P2P bound</text>`);
  parts.push(`<line x1="${W - PAD.right + 8}" y1="${legendY + 18}" x2="${W - PAD.right + 20}" y2="${legendY + 18}" stroke="#999" stroke-dasharray="6 4"/><text x="${W - PAD.right + 24}" y="${legendY + 22}">client-server bound</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
