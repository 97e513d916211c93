/** A page finds its server's tracker and /config from either URL: the widget bundled into another site depends on it. */
import { describe, expect, it } from 'vitest';
import { configUrlFor, trackerForOrigin } from '../../shared/endpoints.ts';

describe('server endpoints', () => {
  it('derives the tracker from the page origin, secure when the page is', () => {
    expect(trackerForOrigin('http://localhost:8080')).toBe('ws://localhost:8080/announce');
    expect(trackerForOrigin('https://files.example')).toBe('wss://files.example/announce');
  });

  it('derives /config from a tracker URL, keeping host and port, dropping path and query', () => {
    expect(configUrlFor('ws://localhost:8080/announce')).toBe('http://localhost:8080/config');
    expect(configUrlFor('wss://t.example:8443/announce?x=1')).toBe('https://t.example:8443/config');
    expect(configUrlFor('wss://t.example')).toBe('https://t.example/config');
  });

  it('round-trips: the tracker of an origin leads back to that origin\'s /config', () => {
    for (const origin of ['http://127.0.0.1:9', 'https://a.b.example']) expect(configUrlFor(trackerForOrigin(origin))).toBe(`${origin}/config`);
  });
});
