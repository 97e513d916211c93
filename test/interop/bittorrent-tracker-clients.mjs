// Two clients of the bittorrent-tracker npm package (WebTorrent's tracker client) meet through the
// tracker at argv[2]: each announces, one's offer reaches the other, the answer comes back, and the
// WebRTC data channel between them opens. Prints one JSON line with what happened.
import Client from '../reference-peers/node_modules/bittorrent-tracker/client.js';

const url = process.argv[2];
const infoHash = 'aa'.repeat(20);
const TIMEOUT_MS = 20_000;
const result = { updates: [], peers: { a: 0, b: 0 }, connected: { a: false, b: false }, warnings: [], messages: {} };

function client(name, peerIdHex) {
  const c = new Client({ infoHash, peerId: peerIdHex, announce: [url], port: 6881, rtcConfig: { iceServers: [] } });
  c.on('update', (data) => result.updates.push({ client: name, complete: data.complete, incomplete: data.incomplete }));
  c.on('warning', (err) => result.warnings.push(`${name}: ${err.message}`));
  c.on('error', (err) => result.warnings.push(`${name} error: ${err.message}`));
  c.on('peer', (peer) => {
    result.peers[name]++;
    peer.on('connect', () => {
      result.connected[name] = true;
      peer.send(`hello from ${name}`);
    });
    peer.on('data', (d) => (result.messages[name] = new TextDecoder().decode(d)));
    peer.on('error', () => {});
  });
  return c;
}

const a = client('a', '2d5757303030302d' + 'aa'.repeat(12));
a.start();
await new Promise((r) => setTimeout(r, 500));
const b = client('b', '2d5757303030302d' + 'bb'.repeat(12));
b.start();

const deadline = Date.now() + TIMEOUT_MS;
while (Date.now() < deadline && !(result.messages.a && result.messages.b)) await new Promise((r) => setTimeout(r, 100));

// Scrape through the same client library, then leave cleanly.
await new Promise((resolve) => {
  a.once('scrape', (data) => {
    result.scrape = { complete: data.complete, incomplete: data.incomplete };
    resolve();
  });
  a.scrape();
  setTimeout(resolve, 3000);
});
a.stop();
b.stop();
await new Promise((r) => setTimeout(r, 300));
a.destroy();
b.destroy();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
