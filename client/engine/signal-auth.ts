/**
 * Signalling the tracker cannot intercept, for private shares. The tracker relays every offer and
 * answer; one that rewrote the DTLS fingerprints in them could sit in the middle of each connection.
 * So in a private swarm each offer and answer carries an HMAC of its fingerprints under a key derived
 * from the link's key (which the tracker never sees), and a peer refuses any whose MAC does not
 * check: a rewritten SDP gets a refused connection and a message, not a silent man in the middle.
 * WebRTC itself then holds the peer to the fingerprint: DTLS fails unless the far end has the
 * certificate the fingerprint names.
 */
import { TabswarmError } from '../../shared/errors.ts';
import { encodeLinkKey, subtleCrypto } from '../../shared/private/key.ts';
import type { SdpAnswer, SdpOffer } from '../../shared/tracker/messages.ts';
import type { PeerConnector } from './webrtc.ts';

const MAC_LABEL = 'tabswarm-signal-v1';

/** The SDP's DTLS fingerprints (`a=fingerprint:` lines), normalised and sorted: what the MAC covers. */
export function sdpFingerprints(sdp: string): string[] {
  const out = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^a=fingerprint:\s*(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (m) out.add(`${m[1]!.toLowerCase()} ${m[2]!.toUpperCase()}`);
  }
  return [...out].sort();
}

function macInput(type: 'offer' | 'answer', infoHash: string, fingerprints: string[]): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode([MAC_LABEL, type, infoHash, ...fingerprints].join('\n'));
}

export async function signSdp(key: CryptoKey, infoHash: string, desc: SdpOffer | SdpAnswer): Promise<string> {
  const fingerprints = sdpFingerprints(desc.sdp);
  if (fingerprints.length === 0) throw new TabswarmError('PRIVATE_SIGNAL_UNAUTHENTICATED', 'Our own connection offer has no DTLS fingerprint to sign; this browser cannot join private shares.');
  const mac = await subtleCrypto().sign('HMAC', key, macInput(desc.type, infoHash, fingerprints));
  return encodeLinkKey(new Uint8Array(mac));
}

/** Whether the description's MAC checks (a missing MAC does not). */
export async function verifySdp(key: CryptoKey, infoHash: string, desc: SdpOffer | SdpAnswer): Promise<boolean> {
  const fingerprints = sdpFingerprints(desc.sdp);
  if (typeof desc.tabswarm_mac !== 'string' || fingerprints.length === 0) return false;
  let mac: Uint8Array;
  try {
    mac = Uint8Array.from(atob(desc.tabswarm_mac.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  return subtleCrypto().verify('HMAC', key, mac as Uint8Array<ArrayBuffer>, macInput(desc.type, infoHash, fingerprints));
}

export interface SignalAuth {
  /** HMAC-SHA-256, from the link's key (deriveKeys().signal). */
  key: CryptoKey;
  infoHash: string;
  /** Told of each refused offer or answer. */
  onRefused: (error: TabswarmError) => void;
  /**
   * The sharer lets peers without the key relay the ciphertext (the link's x.tsr=1): an offer or
   * answer with no MAC at all is accepted. One with a MAC that does not check is still refused.
   */
  allowUnsigned?: boolean;
}

function refusal(infoHash: string, what: 'offer' | 'answer'): TabswarmError {
  return new TabswarmError(
    'PRIVATE_SIGNAL_UNAUTHENTICATED',
    `Refused a peer's connection ${what} for private share ${infoHash.slice(0, 8)}…: its DTLS fingerprint is not signed with this link's key. Either the peer's key and ours differ (one of the links is not whole), or the signalling server altered the ${what} to intercept the connection.`,
  );
}

/**
 * What a private share's peer answers an offer it refuses with: no media, no fingerprint (nothing
 * can connect with it), marked with a MAC field so a peer without the key knows the swarm is private.
 */
export const DECLINE_ANSWER: SdpAnswer = { type: 'answer', sdp: 'v=0\r\n', tabswarm_mac: 'A'.repeat(43) };

/** A connector for one private swarm: our offers and answers signed, the peers' checked before use. */
export function authenticatedConnector(inner: PeerConnector, auth: SignalAuth): PeerConnector {
  return {
    async createOffer() {
      const handle = await inner.createOffer();
      const offer: SdpOffer = { ...handle.offer, tabswarm_mac: await signSdp(auth.key, auth.infoHash, handle.offer) };
      return {
        ...handle,
        offer,
        accept(answer: SdpAnswer) {
          if (auth.allowUnsigned && answer.tabswarm_mac === undefined) return handle.accept(answer);
          void verifySdp(auth.key, auth.infoHash, answer).then(
            (ok) => {
              if (ok) return handle.accept({ type: 'answer', sdp: answer.sdp });
              handle.destroy();
              auth.onRefused(refusal(auth.infoHash, 'answer'));
            },
            () => handle.destroy(),
          );
        },
      };
    },
    async acceptOffer(offer) {
      const unsignedRelay = auth.allowUnsigned === true && offer.tabswarm_mac === undefined;
      if (!unsignedRelay && !(await verifySdp(auth.key, auth.infoHash, offer))) {
        const error = refusal(auth.infoHash, 'offer');
        auth.onRefused(error);
        // Declined with an answer no connection can come of, so a peer that lacks the key learns
        // why at once (keylessConnector) instead of waiting out its offer.
        const transport = Promise.reject(error);
        transport.catch(() => {});
        return { answer: DECLINE_ANSWER, transport, destroy() {} };
      }
      const handle = await inner.acceptOffer({ type: 'offer', sdp: offer.sdp });
      return { ...handle, answer: { ...handle.answer, tabswarm_mac: await signSdp(auth.key, auth.infoHash, handle.answer) } };
    },
  };
}

/**
 * A connector for a swarm joined without a key. Offers that carry a MAC come from a private share's
 * peers, which would refuse our unsigned answer anyway: say once that the link lacks its key,
 * instead of leaving the download to stall without a word.
 */
export function keylessConnector(inner: PeerConnector, onPrivateSwarm: (error: TabswarmError) => void): PeerConnector {
  let told = false;
  const privateSwarm = (): TabswarmError => {
    const error = new TabswarmError('PRIVATE_KEY_MISSING', "This is a private share, and the link you opened lacks its key (the x.tsk=… part), so its peers will not connect. Ask the sharer for the whole link.");
    if (!told) onPrivateSwarm(error);
    told = true;
    return error;
  };
  return {
    async createOffer() {
      const handle = await inner.createOffer();
      return {
        ...handle,
        accept(answer: SdpAnswer) {
          if (answer.tabswarm_mac === undefined) return handle.accept(answer);
          handle.destroy();
          privateSwarm();
        },
      };
    },
    async acceptOffer(offer) {
      if (offer.tabswarm_mac === undefined) return inner.acceptOffer(offer);
      throw privateSwarm();
    },
  };
}

/** A connector for a keyless relay of a private share: the peers' MACs are not ours to check, and stay out of the WebRTC stack. */
export function relayConnector(inner: PeerConnector): PeerConnector {
  return {
    async createOffer() {
      const handle = await inner.createOffer();
      return { ...handle, accept: (answer: SdpAnswer) => handle.accept({ type: 'answer', sdp: answer.sdp }) };
    },
    acceptOffer: (offer) => inner.acceptOffer({ type: 'offer', sdp: offer.sdp }),
  };
}
