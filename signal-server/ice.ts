/**
 * ICE servers (STUN/TURN) handed to browsers at GET /config, from the ICE_SERVERS environment
 * variable: a JSON array of RTCIceServer objects. Validated at start-up so a typo fails loudly.
 */
import { ConfigError } from './config.ts';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

const ICE_SCHEMES = /^(stun|stuns|turn|turns):/;

export function parseIceServers(raw: string | undefined): IceServer[] {
  if (raw === undefined || raw.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError('ICE_SERVERS is not valid JSON; expected e.g. [{"urls":"stun:stun.example.org:3478"}].');
  }
  if (!Array.isArray(json)) throw new ConfigError('ICE_SERVERS must be a JSON array of {urls, username?, credential?}.');
  return json.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null) throw new ConfigError(`ICE_SERVERS[${i}] must be an object.`);
    const { urls, username, credential } = entry as Record<string, unknown>;
    const list = Array.isArray(urls) ? urls : [urls];
    if (list.length === 0 || !list.every((u) => typeof u === 'string' && ICE_SCHEMES.test(u))) {
      throw new ConfigError(`ICE_SERVERS[${i}].urls must be stun:, stuns:, turn: or turns: URLs.`);
    }
    if (username !== undefined && typeof username !== 'string') throw new ConfigError(`ICE_SERVERS[${i}].username must be a string.`);
    if (credential !== undefined && typeof credential !== 'string') throw new ConfigError(`ICE_SERVERS[${i}].credential must be a string.`);
    const server: IceServer = { urls: urls as string | string[] };
    if (username !== undefined) server.username = username;
    if (credential !== undefined) server.credential = credential;
    return server;
  });
}
