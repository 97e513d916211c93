// bittorrent-tracker's server (what WebTorrent's public trackers run), WebSocket only, for
// side-by-side benchmarks. Prints one JSON "listening" line with its port, like our server.
import Server from '../reference-peers/node_modules/bittorrent-tracker/server.js';

const server = new Server({ udp: false, http: false, ws: true, stats: false });
server.on('warning', () => {});
server.on('error', (err) => process.stderr.write(`${err.message}\n`));
server.on('listening', () => process.stdout.write(`${JSON.stringify({ event: 'listening', port: server.ws.address().port })}\n`));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
