/**
 * Signalling a tracker cannot intercept: offers and answers of a private share carry an HMAC of their
 * DTLS fingerprints; a rewritten fingerprint, a missing or foreign MAC is refused with a message; a
 * peer without the key is told the swarm is private; the tracker relays the MAC field untouched.
 */
import { describe, expect, it } from 'vitest';
import type { TabswarmError } from '../../shared/errors.ts';
import { deriveKeys, newLinkKey } from '../../shared/private/key.ts';
import type { SdpAnswer, SdpOffer } from '../../shared/tracker/messages.ts';
import { validateClientMessage } from '../../shared/tracker/index.ts';
import { authenticatedConnector, DECLINE_ANSWER, keylessConnector, relayConnector, sdpFingerprints, signSdp, verifySdp } from '../../client/engine/signal-auth.ts';
import type { PeerConnector } from '../../client/engine/webrtc.ts';
import type { Transport } from '../../client/engine/transport.ts';

const HASH = 'c9e15763f722f23e98a29decdfae341b98d53056';
const FP_A = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
const FP_B = Array.from({ length: 32 }, () => 'AB').join(':');
const sdp = (fp: string) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=fingerprint:sha-256 ${fp}\r\na=setup:actpass\r\n`;

/** A connector that records what the wrapper hands it, and never really connects. */
function fakeConnector(fp: string) {
  const log = { accepted: [] as SdpAnswer[], offered: [] as SdpOffer[], destroyed: 0 };
  const never = new Promise<Transport>(() => {});
  const inner: PeerConnector = {
    async createOffer() {
      return { offer: { type: 'offer', sdp: sdp(fp) }, accept: (a) => void log.accepted.push(a), transport: never, destroy: () => void log.destroyed++ };
    },
    async acceptOffer(offer) {
      log.offered.push(offer);
      return { answer: { type: 'answer', sdp: sdp(fp) }, transport: never, destroy: () => void log.destroyed++ };
    },
  };
  return { inner, log };
}

describe('signed signalling', () => {
  it('reads the fingerprints an SDP names, normalised', () => {
    expect(sdpFingerprints(sdp(FP_A.toLowerCase()))).toEqual([`sha-256 ${FP_A}`]);
    expect(sdpFingerprints('v=0\r\n')).toEqual([]);
  });

  it('a MAC checks for the same key, info hash, type and fingerprint, and for nothing else', async () => {
    const { signal } = await deriveKeys(newLinkKey());
    const other = (await deriveKeys(newLinkKey())).signal;
    const offer: SdpOffer = { type: 'offer', sdp: sdp(FP_A) };
    const mac = await signSdp(signal, HASH, offer);
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await verifySdp(signal, HASH, { ...offer, tabswarm_mac: mac })).toBe(true);
    expect(await verifySdp(signal, HASH, { type: 'offer', sdp: sdp(FP_B), tabswarm_mac: mac })).toBe(false); // fingerprint rewritten
    expect(await verifySdp(other, HASH, { ...offer, tabswarm_mac: mac })).toBe(false); // another key
    expect(await verifySdp(signal, 'ab'.repeat(20), { ...offer, tabswarm_mac: mac })).toBe(false); // replayed into another swarm
    expect(await verifySdp(signal, HASH, { type: 'answer', sdp: offer.sdp, tabswarm_mac: mac })).toBe(false); // an offer's MAC on an answer
    expect(await verifySdp(signal, HASH, offer)).toBe(false); // none
  });

  it('signs our offers and answers; refuses a peer\'s whose fingerprint was rewritten, with a message, and declines it', async () => {
    const { signal } = await deriveKeys(newLinkKey());
    const refused: TabswarmError[] = [];
    const a = fakeConnector(FP_A);
    const b = fakeConnector(FP_B);
    const alice = authenticatedConnector(a.inner, { key: signal, infoHash: HASH, onRefused: (e) => refused.push(e) });
    const bob = authenticatedConnector(b.inner, { key: signal, infoHash: HASH, onRefused: (e) => refused.push(e) });

    const made = await alice.createOffer();
    expect(await verifySdp(signal, HASH, made.offer)).toBe(true);
    const answered = await bob.acceptOffer(made.offer);
    expect(b.log.offered).toEqual([{ type: 'offer', sdp: made.offer.sdp }]); // the MAC stays out of the WebRTC stack
    made.accept(answered.answer);
    await expect.poll(() => a.log.accepted.length).toBe(1);
    expect(refused).toEqual([]);

    // The tracker swaps the fingerprint in a relayed offer for its own.
    const forged: SdpOffer = { ...made.offer, sdp: made.offer.sdp.replace(FP_A, FP_B) };
    const declined = await bob.acceptOffer(forged);
    expect(declined.answer).toEqual(DECLINE_ANSWER);
    await expect(declined.transport).rejects.toMatchObject({ code: 'PRIVATE_SIGNAL_UNAUTHENTICATED' });
    expect(b.log.offered).toHaveLength(1); // never reached the WebRTC stack
    expect(refused.map((e) => e.message)).toEqual([expect.stringMatching(/Refused a peer's connection offer for private share c9e15763…: its DTLS fingerprint is not signed with this link's key/)]);

    // …and in a relayed answer.
    const second = await alice.createOffer();
    const answer2 = await bob.acceptOffer(second.offer);
    second.accept({ ...answer2.answer, sdp: answer2.answer.sdp.replace(FP_B, FP_A) });
    await expect.poll(() => refused.length).toBe(2);
    expect(a.log.accepted).toHaveLength(1);
    expect(a.log.destroyed).toBe(1);
    expect(refused[1]!.message).toMatch(/connection answer .* altered the answer/);
  });

  it('a peer without the key is told once that the swarm is private, whether it gets a signed offer or a decline', async () => {
    const told: TabswarmError[] = [];
    const k = fakeConnector(FP_A);
    const keyless = keylessConnector(k.inner, (e) => told.push(e));
    await expect(keyless.acceptOffer({ type: 'offer', sdp: sdp(FP_B), tabswarm_mac: 'A'.repeat(43) })).rejects.toMatchObject({ code: 'PRIVATE_KEY_MISSING' });
    const mine = await keyless.createOffer();
    mine.accept(DECLINE_ANSWER);
    expect(k.log.accepted).toEqual([]);
    expect(k.log.destroyed).toBe(1);
    expect(told).toHaveLength(1);
    expect(told[0]!.message).toMatch(/This is a private share, and the link you opened lacks its key/);
    // Plain swarms are untouched.
    await keyless.acceptOffer({ type: 'offer', sdp: sdp(FP_B) });
    expect(k.log.offered).toHaveLength(1);
  });

  it('when the sharer allows relays, an offer or answer with no MAC is accepted, one with a wrong MAC still refused', async () => {
    const { signal } = await deriveKeys(newLinkKey());
    const refused: TabswarmError[] = [];
    const a = fakeConnector(FP_A);
    const sharer = authenticatedConnector(a.inner, { key: signal, infoHash: HASH, onRefused: (e) => refused.push(e), allowUnsigned: true });
    const relayed = await sharer.acceptOffer({ type: 'offer', sdp: sdp(FP_B) });
    expect(relayed.answer.tabswarm_mac).toMatch(/^[A-Za-z0-9_-]{43}$/); // ours is still signed
    expect(a.log.offered).toHaveLength(1);
    const forged = await sharer.acceptOffer({ type: 'offer', sdp: sdp(FP_B), tabswarm_mac: 'B'.repeat(43) });
    expect(forged.answer).toEqual(DECLINE_ANSWER);
    expect(refused).toHaveLength(1);
    const mine = await sharer.createOffer();
    mine.accept({ type: 'answer', sdp: sdp(FP_B) });
    expect(a.log.accepted).toHaveLength(1);
    // A keyless relay passes the peers' signed offers on without their MAC.
    const r = fakeConnector(FP_B);
    const relay = relayConnector(r.inner);
    await relay.acceptOffer({ type: 'offer', sdp: sdp(FP_A), tabswarm_mac: 'C'.repeat(43) });
    expect(r.log.offered).toEqual([{ type: 'offer', sdp: sdp(FP_A) }]);
  });

  it('the tracker keeps a well-formed MAC with the offer and answer it relays, and refuses a malformed one', () => {
    const HASH_BIN = 'A'.repeat(20);
    const mac = 'x'.repeat(43);
    const r = validateClientMessage({ action: 'announce', info_hash: HASH_BIN, peer_id: HASH_BIN, offers: [{ offer_id: HASH_BIN, offer: { type: 'offer', sdp: 'v=0\r\n', tabswarm_mac: mac } }] });
    expect(r).toMatchObject({ ok: true, value: { offers: [{ offer: { tabswarm_mac: mac } }] } });
    const a = validateClientMessage({ action: 'announce', info_hash: HASH_BIN, peer_id: HASH_BIN, to_peer_id: HASH_BIN, offer_id: HASH_BIN, answer: { type: 'answer', sdp: 'v=0\r\n', tabswarm_mac: mac } });
    expect(a).toMatchObject({ ok: true, value: { answer: { tabswarm_mac: mac } } });
    const bad = validateClientMessage({ action: 'announce', info_hash: HASH_BIN, peer_id: HASH_BIN, to_peer_id: HASH_BIN, offer_id: HASH_BIN, answer: { type: 'answer', sdp: 'v=0\r\n', tabswarm_mac: '<script>' } });
    expect(bad).toMatchObject({ ok: false, error: { message: expect.stringMatching(/tabswarm_mac must be 43 characters of base64url/) } });
  });
});
