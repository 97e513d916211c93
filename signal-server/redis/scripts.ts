/**
 * Lua scripts, so that each step of the shared swarm state is one atomic round trip.
 *
 * Layout (prefix P, info hash and peer ids in hex):
 *   P swarm:<ih>:peers    sorted set  peer → time of its last announce
 *   P swarm:<ih>:seeders  sorted set  the same, seeders only (so counts are two ZCOUNTs)
 *   P swarm:<ih>:owner    hash        peer → "<node>|<connection>|<left>"
 *   P swarm:<ih>:done     counter     "completed" events
 *   P nodes               sorted set  tracker process → time of its last heartbeat
 *   P node:<id>:peers     set         "<ih>|<peer>" for every peer that process announced
 * A peer counts only while its last announce is newer than the peer cutoff and its process's
 * heartbeat is newer than the node cutoff; swarm keys expire with the peer timeout.
 * Scripts build swarm key names for the reaper, so this layout is for a single Redis (or a primary
 * with replicas), not Redis Cluster.
 */

/** Whether a stored owner counts: the peer announced after the peer cutoff, its process beat after the node cutoff. */
const OWNER_LIVE = `
local function live(peers, nodes, peer, owner, peerCutoff, nodeCutoff)
  local node = string.match(owner, '^([^|]*)|')
  local seen = tonumber(redis.call('ZSCORE', peers, peer) or '-1')
  local nodeSeen = tonumber(redis.call('ZSCORE', nodes, node) or '-1')
  return seen >= peerCutoff and nodeSeen >= nodeCutoff
end
`;

/**
 * KEYS: peers seeders owner done nodes nodePeers
 * ARGV: peer node conn left('' unknown, '-' keep) now peerCutoff nodeCutoff ttlMs completed('1'|'0') ih
 * → {0} when another live connection holds the peer id, else {1, complete, incomplete}.
 */
export const PUT = `${OWNER_LIVE}
local prev = redis.call('HGET', KEYS[3], ARGV[1])
local prevLeft = false
if prev and live(KEYS[1], KEYS[5], ARGV[1], prev, tonumber(ARGV[6]), tonumber(ARGV[7])) then
  local node, conn, left = string.match(prev, '^([^|]*)|([^|]*)|(.*)$')
  if node ~= ARGV[2] or conn ~= ARGV[3] then return {0} end
  prevLeft = left
end
local left = ARGV[4]
if left == '-' then left = prevLeft or '' end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2] .. '|' .. ARGV[3] .. '|' .. left)
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
if left == '0' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
if ARGV[9] == '1' and prevLeft ~= '0' then redis.call('INCR', KEYS[4]) end
redis.call('SADD', KEYS[6], ARGV[10] .. '|' .. ARGV[1])
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[8]) end
redis.call('PEXPIRE', KEYS[6], ARGV[8])
local complete = redis.call('ZCOUNT', KEYS[2], ARGV[6], '+inf')
local total = redis.call('ZCOUNT', KEYS[1], ARGV[6], '+inf')
return {1, complete, total - complete}
`;

/**
 * KEYS: peers seeders owner nodePeers
 * ARGV: peer ownerPrefix("<node>|<conn>|") entry("<ih>|<peer>")
 * Removes the peer only if that connection still owns it (it may have moved to another process).
 */
export const REMOVE = `
local cur = redis.call('HGET', KEYS[3], ARGV[1])
if cur and string.sub(cur, 1, #ARGV[2]) == ARGV[2] then
  redis.call('HDEL', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
redis.call('SREM', KEYS[4], ARGV[3])
return 1
`;

/** KEYS: peers owner nodes — ARGV: peer peerCutoff nodeCutoff → 1 if a live connection holds the peer id. */
export const HAS = `${OWNER_LIVE}
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if owner and live(KEYS[1], KEYS[3], ARGV[1], owner, tonumber(ARGV[2]), tonumber(ARGV[3])) then return 1 end
return 0
`;

/** KEYS: peers seeders done — ARGV: peerCutoff → {complete, incomplete, downloaded}. */
export const COUNTS = `
local complete = redis.call('ZCOUNT', KEYS[2], ARGV[1], '+inf')
local total = redis.call('ZCOUNT', KEYS[1], ARGV[1], '+inf')
return {complete, total - complete, tonumber(redis.call('GET', KEYS[3]) or '0')}
`;

/**
 * KEYS: peers owner nodes — ARGV: n exclude peerCutoff nodeCutoff
 * → up to n live peers as a flat list {peer, owner, peer, owner, …}. Draws 2n+1 distinct members
 * so that the excluded peer and the odd stale one still leave n.
 */
export const SAMPLE = `
local want = tonumber(ARGV[1])
local picks = redis.call('ZRANDMEMBER', KEYS[1], want * 2 + 1, 'WITHSCORES')
local out = {}
local alive = {}
for i = 1, #picks, 2 do
  if #out >= want * 2 then break end
  local peer = picks[i]
  if peer ~= ARGV[2] and tonumber(picks[i + 1]) >= tonumber(ARGV[3]) then
    local owner = redis.call('HGET', KEYS[2], peer)
    if owner then
      local node = string.match(owner, '^([^|]*)|')
      if alive[node] == nil then alive[node] = tonumber(redis.call('ZSCORE', KEYS[3], node) or '-1') >= tonumber(ARGV[4]) end
      if alive[node] then
        out[#out + 1] = peer
        out[#out + 1] = owner
      end
    end
  end
end
return out
`;

/**
 * KEYS: nodes deadNodePeers — ARGV: prefix deadNode nodeCutoff batch
 * Removes up to `batch` peers of a dead process (those it still owns) → how many entries it took,
 * or -1 when the process turned out to be alive after all.
 */
export const REAP = `
local seen = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[2]) or '-1')
if seen >= tonumber(ARGV[3]) then return -1 end
local entries = redis.call('SPOP', KEYS[2], tonumber(ARGV[4]))
local mine = ARGV[2] .. '|'
for _, e in ipairs(entries) do
  local ih, peer = string.match(e, '^([^|]+)|(.+)$')
  local base = ARGV[1] .. 'swarm:' .. ih
  local cur = redis.call('HGET', base .. ':owner', peer)
  if cur and string.sub(cur, 1, #mine) == mine then
    redis.call('HDEL', base .. ':owner', peer)
    redis.call('ZREM', base .. ':peers', peer)
    redis.call('ZREM', base .. ':seeders', peer)
  end
end
if redis.call('SCARD', KEYS[2]) == 0 then redis.call('ZREM', KEYS[1], ARGV[2]) end
return #entries
`;
