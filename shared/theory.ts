/**
 * Kurose & Ross's lower bounds on the time to get a file of F bytes to N peers, from a server
 * uploading u_s bytes/s to peers uploading u_i and downloading at least d_min:
 *   client-server  D_cs  = max(N·F/u_s, F/d_min)
 *   peer-to-peer   D_p2p = max(F/u_s, F/d_min, N·F/(u_s + Σu_i))
 * Rates of Infinity mean "no limit" (a term with an infinite rate is 0).
 */
export interface Distribution {
  /** File size, bytes. */
  F: number;
  /** The server's (seeder's) upload, bytes/s. */
  us: number;
  /** Each peer's upload, bytes/s (its length is N). */
  ui: number[];
  /** The slowest peer's download, bytes/s (Infinity: no limit). */
  dMin: number;
}

export function dClientServer({ F, us, ui, dMin }: Distribution): number {
  return Math.max((ui.length * F) / us, F / dMin);
}

export function dPeerToPeer({ F, us, ui, dMin }: Distribution): number {
  const total = us + ui.reduce((a, b) => a + b, 0);
  return Math.max(F / us, F / dMin, ui.length === 0 ? 0 : (ui.length * F) / total);
}

/** N identical peers, as in the chapter's figure. */
export function uniform(F: number, us: number, ui: number, n: number, dMin = Infinity): Distribution {
  return { F, us, ui: Array.from({ length: n }, () => ui), dMin };
}

/** Both bounds for N identical peers, with N a real number: the smooth curves of the chapter's figure. */
export function uniformCurves(F: number, us: number, ui: number, dMin = Infinity): { dCs: (n: number) => number; dP2p: (n: number) => number } {
  return {
    dCs: (n) => Math.max((n * F) / us, F / dMin),
    dP2p: (n) => Math.max(F / us, F / dMin, (n * F) / (us + n * ui)),
  };
}
