import { describe, expect, it } from 'vitest';
import { validateClientMessage, validateServerMessage, parseJsonFrame } from '../../shared/tracker/index.ts';

const HASH = 'A'.repeat(19) + '\u00ff';
const PEER = '-WW0208-' + 'abcdefghijkl';
const OFFER_ID = '\u0001'.repeat(20);
const offer = { type: 'offer', sdp: 'v=0\r\n' };
const answer = { type: 'answer', sdp: 'v=0\r\n' };

describe('client messages', () => {
  it('accepts the announce bittorrent-tracker sends (left may be null when unknown)', () => {
    const r = validateClientMessage({ action: 'announce', info_hash: HASH, peer_id: PEER, numwant: 5, uploaded: 0, downloaded: 0, left: null, event: 'started', offers: [{ offer, offer_id: OFFER_ID }] });
    expect(r).toMatchObject({ ok: true, value: { kind: 'announce', left: null, event: 'started', offers: [{ offer_id: OFFER_ID }] } });
  });

  it('accepts an answer and a scrape of one or several hashes', () => {
    expect(validateClientMessage({ action: 'announce', info_hash: HASH, peer_id: PEER, to_peer_id: PEER, offer_id: OFFER_ID, answer })).toMatchObject({ ok: true, value: { kind: 'answer' } });
    expect(validateClientMessage({ action: 'scrape', info_hash: HASH })).toMatchObject({ ok: true, value: { kind: 'scrape', info_hash: [HASH] } });
    expect(validateClientMessage({ action: 'scrape', info_hash: [HASH, HASH] })).toMatchObject({ ok: true, value: { info_hash: [HASH, HASH] } });
  });

  it.each([
    [null, /must be an object/],
    [[1, 2], /must be an object/],
    [{ action: 'dance' }, /action must be/],
    [{ action: 'announce', info_hash: 'short', peer_id: PEER }, /info_hash must be a 20-byte binary string/],
    [{ action: 'announce', info_hash: 'ä'.repeat(19) + 'ĀĀ'.slice(0, 1), peer_id: PEER }, /info_hash/],
    [{ action: 'announce', info_hash: HASH }, /missing peer_id/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, numwant: 'ten' }, /numwant must be a non-negative number/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, left: -1 }, /left must be/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, event: 'exploded' }, /event must be one of/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, offers: {} }, /offers must be a list/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, offers: [null] }, /offers\[0\] must be an object/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, offers: [{ offer_id: OFFER_ID, offer: { type: 'answer', sdp: 'x' } }] }, /offers\[0\]\.offer\.type must be "offer"/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, offers: [{ offer_id: OFFER_ID, offer: { type: 'offer', sdp: 'x'.repeat(20_000) } }] }, /limit 16384/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, offers: Array(11).fill({ offer, offer_id: OFFER_ID }) }, /11 offers \(limit 10\)/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, to_peer_id: PEER, offer_id: OFFER_ID, answer: null }, /answer must be an object/],
    [{ action: 'announce', info_hash: HASH, peer_id: PEER, offer_id: OFFER_ID, answer }, /missing to_peer_id/],
    [{ action: 'scrape', info_hash: [] }, /at least one/],
    [{ action: 'scrape', info_hash: [HASH, 5] }, /info_hash must be/],
  ])('refuses %j', (json, message) => {
    const r = validateClientMessage(json);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('TRACKER_MESSAGE_INVALID');
      expect(r.error.message).toMatch(message);
    }
  });

  it('does not read fields through __proto__', () => {
    const json = JSON.parse(`{"action":"announce","__proto__":{"info_hash":"${'a'.repeat(20)}","peer_id":"${'b'.repeat(20)}"}}`);
    expect(validateClientMessage(json)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/missing info_hash/) } });
  });
});

describe('server messages', () => {
  it('accepts each reply a WebTorrent tracker sends', () => {
    expect(validateServerMessage({ action: 'announce', info_hash: HASH, interval: 120, complete: 1, incomplete: 2 })).toMatchObject({ ok: true, value: { kind: 'announce-reply' } });
    expect(validateServerMessage({ action: 'announce', info_hash: HASH, peer_id: PEER, offer_id: OFFER_ID, offer })).toMatchObject({ ok: true, value: { kind: 'offer' } });
    expect(validateServerMessage({ action: 'announce', info_hash: HASH, peer_id: PEER, offer_id: OFFER_ID, answer })).toMatchObject({ ok: true, value: { kind: 'answer' } });
    expect(validateServerMessage({ action: 'scrape', files: { [HASH]: { complete: 1, incomplete: 0, downloaded: 1 } }, flags: {} })).toMatchObject({ ok: true, value: { kind: 'scrape-reply' } });
    expect(validateServerMessage({ 'failure reason': 'nope', info_hash: HASH })).toMatchObject({ ok: true, value: { kind: 'failure', info_hash: HASH } });
  });

  it('refuses malformed replies', () => {
    expect(validateServerMessage({ action: 'announce', info_hash: HASH, interval: 'soon', complete: 0, incomplete: 0 }).ok).toBe(false);
    expect(validateServerMessage({ action: 'scrape', files: { short: { complete: 0, incomplete: 0 } } }).ok).toBe(false);
    expect(validateServerMessage({ 'failure reason': 42 }).ok).toBe(false);
  });

  it('parseJsonFrame reports non-JSON instead of throwing', () => {
    expect(parseJsonFrame('{nope')).toMatchObject({ ok: false, error: { code: 'TRACKER_MESSAGE_INVALID' } });
    expect(parseJsonFrame('[1]')).toEqual({ ok: true, value: [1] });
  });
});
