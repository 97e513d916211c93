/** ICE servers: TURN credentials from the server, their renewal in the client, and reading a connection's route. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { routeFromStats } from '../../client/engine/connection-route.ts';
import { ICE_REFRESH_BEFORE_EXPIRY_MS, ICE_REFRESH_RETRY_MS, IceServerSource, hasRelay, parseIceConfig, type IceConfig } from '../../client/engine/ice-config.ts';
import { ConfigError } from '../../signal-server/config.ts';
import { loadConfig } from '../../signal-server/load-config.ts';
import { iceConfigAt, turnConfigFromEnv, turnCredential } from '../../signal-server/turn.ts';

describe('TURN credentials (coturn REST-API scheme)', () => {
  const turn = { urls: ['turn:turn.example.org:3478'], secret: 'north', ttlSeconds: 3600 };

  it('a username of expiry:tabswarm and the base64 HMAC-SHA-1 of it under the shared secret', () => {
    const c = turnCredential(turn, 1_700_000_000_500);
    expect(c.username).toBe('1700003600:tabswarm');
    expect(c.credential).toBe(createHmac('sha1', 'north').update('1700003600:tabswarm').digest('base64'));
    expect(c.expiresAtMs).toBe(1_700_003_600_000);
    expect(JSON.stringify(c)).not.toContain('north');
  });

  it('/config lists the static servers first, then the relay, with when the answer goes stale', () => {
    const stun = { urls: 'stun:stun.example.org' };
    const cfg = iceConfigAt([stun], turn, 0);
    expect(cfg.iceServers[0]).toEqual(stun);
    expect(cfg.iceServers[1]).toMatchObject({ urls: turn.urls, username: '3600:tabswarm' });
    expect(cfg.iceServersExpireAt).toBe(3_600_000);
    expect(iceConfigAt([stun], undefined, 0)).toEqual({ iceServers: [stun] });
  });

  it('the environment needs both TURN_URLS and TURN_SECRET, turn: URLs, and a sane TTL', () => {
    expect(turnConfigFromEnv({})).toBeUndefined();
    expect(turnConfigFromEnv({ TURN_URLS: 'turn:a:3478, turns:a:5349', TURN_SECRET: 's' })).toEqual({ urls: ['turn:a:3478', 'turns:a:5349'], secret: 's', ttlSeconds: 86_400 });
    expect(() => turnConfigFromEnv({ TURN_SECRET: 's' })).toThrow(/TURN_URLS is empty/);
    expect(() => turnConfigFromEnv({ TURN_URLS: 'turn:a' })).toThrow(/TURN_SECRET is empty/);
    expect(() => turnConfigFromEnv({ TURN_URLS: 'stun:a', TURN_SECRET: 's' })).toThrow(ConfigError);
    expect(() => turnConfigFromEnv({ TURN_URLS: 'turn:a', TURN_SECRET: 's', TURN_TTL: '5' })).toThrow(/TURN_TTL=5/);
    expect(loadConfig({ TURN_URLS: 'turn:a', TURN_SECRET: 's', TURN_TTL: '600' }).turn).toEqual({ urls: ['turn:a'], secret: 's', ttlSeconds: 600 });
  });
});

describe('the client side of /config', () => {
  it('keeps what is well-formed and drops the rest', () => {
    expect(parseIceConfig({ iceServers: [{ urls: 'stun:a' }, 7, { urls: 3 }, { urls: ['turn:b'] }], iceServersExpireAt: 99 })).toEqual({ iceServers: [{ urls: 'stun:a' }, { urls: ['turn:b'] }], expiresAtMs: 99 });
    expect(parseIceConfig('nonsense')).toEqual({ iceServers: [], expiresAtMs: null });
    expect(parseIceConfig({ iceServers: [], iceServersExpireAt: 'soon' }).expiresAtMs).toBeNull();
    expect(hasRelay([{ urls: 'stun:a' }])).toBe(false);
    expect(hasRelay([{ urls: ['stun:a', 'turns:b'] }])).toBe(true);
  });

  it('renews the list in the background before it expires, keeps the old one meanwhile, and retries a failure later', async () => {
    let t = 0;
    const old: IceConfig = { iceServers: [{ urls: 'turn:old' }], expiresAtMs: 60 * 60 * 1000 };
    const answers: Array<() => Promise<IceConfig>> = [
      () => Promise.reject(new Error('offline')),
      async () => ({ iceServers: [{ urls: 'turn:new' }], expiresAtMs: 2 * 60 * 60 * 1000 }),
    ];
    let asked = 0;
    const source = new IceServerSource(old, () => (asked++, answers.shift()!()), () => t);
    const flush = () => new Promise((r) => setTimeout(r, 0));
    expect(source.current()).toEqual(old.iceServers);
    expect(asked).toBe(0); // far from expiry
    t = old.expiresAtMs! - ICE_REFRESH_BEFORE_EXPIRY_MS;
    expect(source.current()).toEqual(old.iceServers);
    expect(asked).toBe(1);
    await flush();
    source.current();
    expect(asked).toBe(1); // the failure waits out its retry delay
    t += ICE_REFRESH_RETRY_MS;
    expect(source.current()).toEqual(old.iceServers);
    expect(asked).toBe(2);
    await flush();
    expect(source.current()).toEqual([{ urls: 'turn:new' }]);
    expect(asked).toBe(2);
  });
});

describe("a connection's route, from its stats", () => {
  const candidates = (local: string, remote: string) => [
    { id: 'L', type: 'local-candidate', candidateType: local },
    { id: 'R', type: 'remote-candidate', candidateType: remote },
  ];

  it("reads the spec's selected pair (Chromium, libwebrtc)", () => {
    const stats = (local: string, remote: string) => [
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' },
      { id: 'Q', type: 'candidate-pair', localCandidateId: 'X', remoteCandidateId: 'R' },
      { id: 'X', type: 'local-candidate', candidateType: 'relay' },
      ...candidates(local, remote),
    ];
    expect(routeFromStats(stats('host', 'srflx'))).toBe('direct');
    expect(routeFromStats(stats('relay', 'host'))).toBe('relayed');
    expect(routeFromStats(stats('srflx', 'relay'))).toBe('relayed');
  });

  it("reads a pair marked selected (Firefox)", () => {
    const stats = [{ id: 'P', type: 'candidate-pair', selected: true, localCandidateId: 'L', remoteCandidateId: 'R' }, ...candidates('relay', 'prflx')];
    expect(routeFromStats(stats)).toBe('relayed');
  });

  it('says nothing before a pair is selected or when candidates are missing', () => {
    expect(routeFromStats([{ id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' }, ...candidates('host', 'host')])).toBeNull();
    expect(routeFromStats([{ id: 'T', type: 'transport', selectedCandidatePairId: 'P' }, { id: 'P', type: 'candidate-pair', localCandidateId: 'L', remoteCandidateId: 'R' }])).toBeNull();
    expect(routeFromStats([])).toBeNull();
  });
});
