/**
 * Whether a WebRTC connection goes straight between the two peers or through a TURN relay, read
 * from the connection's stats (the selected ICE candidate pair). Browsers differ in how they mark
 * the pair in use: the spec's `transport.selectedCandidatePairId` (Chromium, libwebrtc in Node), or
 * `selected: true` on the pair itself (Firefox). Pure over the stats objects, so all shapes are tested.
 */

/** `direct`: host or server-reflexive (STUN) candidates on both sides; `relayed`: a TURN server carries it. */
export type ConnectionRoute = 'direct' | 'relayed';

type Report = Record<string, unknown>;

function candidateType(c: Report | undefined): string | undefined {
  return typeof c?.candidateType === 'string' ? c.candidateType : undefined;
}

/** The route of the pair in use, or null while no pair has been selected (or the stats say nothing usable). */
export function routeFromStats(reports: Iterable<Report>): ConnectionRoute | null {
  const byId = new Map<string, Report>();
  const all = [...reports];
  for (const r of all) if (typeof r.id === 'string') byId.set(r.id, r);
  let pair: Report | undefined;
  for (const r of all) {
    if (r.type === 'transport' && typeof r.selectedCandidatePairId === 'string') pair = byId.get(r.selectedCandidatePairId);
  }
  pair ??= all.find((r) => (r.type === 'candidate-pair' || r.type === 'candidatepair') && r.selected === true);
  if (!pair) return null;
  const local = candidateType(byId.get(String(pair.localCandidateId)));
  const remote = candidateType(byId.get(String(pair.remoteCandidateId)));
  if (local === undefined && remote === undefined) return null;
  return local === 'relay' || remote === 'relay' ? 'relayed' : 'direct';
}
