/** What `tabswarm --help` and `tabswarm COMMAND --help` print. */
import { DEFAULT_TRACKER } from './swarm-args.ts';
import { CLI_NAME_VERSION } from './version.ts';

export type CommandName = 'create' | 'info' | 'seed' | 'get' | 'serve';

/** One line of synopsis and the options, per command. */
export const COMMAND_HELP: Record<CommandName, string> = {
  create: `tabswarm create PATH [-o FILE.torrent] [--announce URL]... [--web-seed URL]... [--torrent-url URL] [--private [--expires WHEN]] [--json]
    Hash a file or folder into a .torrent (256 KiB pieces) and print its magnet link.
    -o, --output FILE      where to write the .torrent (default: PATH's name + .torrent)
    -a, --announce URL     a tracker to name in the torrent (repeatable)
    -w, --web-seed URL     an HTTP server holding the content (BEP 19; repeatable): the file's URL,
                           or a folder URL ending in "/" under which NAME (and its paths) can be found
    --torrent-url URL      where you will publish the .torrent: the magnet link carries it (xs=), so
                           with a web seed the link works when no peer is online
    --private              seal the content and names first (end-to-end encrypted) into one opaque
                           file beside the .torrent; the printed link carries the key (x.tsk=…)
    --expires WHEN         the private link's expiry: a duration (90s, 30m, 12h, 7d) or a date and
                           time (2026-12-31T18:00Z); peers stop sharing it then
    --json                 print the result as JSON`,
  info: `tabswarm info FILE.torrent [--json]
    Show what a .torrent holds: name, size, pieces, files, trackers, magnet link.
    --json                 print it as JSON`,
  seed: `tabswarm seed PATH [--tracker URL]... [--upload-limit B/s] [--torrent FILE.torrent [--key LINK]] [--private] [--expires WHEN] [--allow-relays] [--relay-only] [--no-initial-seeding] [--keep [--server URL]]
    Share a file or folder with the swarm until Ctrl-C (prints the magnet link). A new share is
    seeded initially (pieces revealed a few at a time, rarest first) unless --no-initial-seeding.
    -t, --tracker URL      a WebSocket tracker (repeatable; default ${DEFAULT_TRACKER})
    --upload-limit B/s     cap on upload, bytes per second (default: none)
    --torrent FILE         seed this existing .torrent, its content found at PATH (re-verified)
    --no-initial-seeding   reveal every piece at once
    --keep                 first upload the content to the Tabswarm server (verified piece by piece,
                           resumable), so the link works after this process stops: the printed link
                           names the server as a web seed. The server must have a store (STORE_DIR)
    --server URL           the server for --keep (default: the tracker's own server)
    --private              a private share: PATH is sealed (end-to-end encrypted) under a new key,
                           which only the printed link carries; peers without it cannot connect
    --key LINK             seed a file sealed by "create --private" (PATH, with --torrent): the
                           private link, or its x.tsk key alone
    --expires WHEN         a private link's expiry (90s, 30m, 12h, 7d, or a date and time): seeding
                           stops then, and the --keep copy on the server is deleted then
    --allow-relays         let peers without the key relay the private share's ciphertext (they
                           cannot open it); prints a relay link without the key too
    --relay-only           connect to peers only through the server's TURN relay, so they never
                           learn this machine's address (the server must hand out TURN at /config)`,
  get: `tabswarm get MAGNET|LINK|FILE.torrent [-o DIR] [--tracker URL]... [--upload-limit B/s] [--seed] [--timeout S] [--relay-only]
    Download, verify and save; resumes from what is already in DIR. LINK: the app's link
    (https://…/#magnet:?…). A private link (x.tsk=…) is decrypted and authenticated into DIR.
    -o, --output DIR       where to save (default: the current folder)
    -t, --tracker URL      a WebSocket tracker besides the link's own (repeatable)
    --upload-limit B/s     cap on upload while downloading, bytes per second
    --seed                 keep sharing after the download, until Ctrl-C
    --timeout S            give up (exit 3) when no peer is found within S seconds (default 60)
    --relay-only           connect to peers only through the server's TURN relay, so they never
                           learn this machine's address (the server must hand out TURN at /config)`,
  serve: `tabswarm serve
    Run the tracker and the web app on http://localhost:8080 until Ctrl-C. Settings come from the
    environment (PORT, HOST, ICE_SERVERS, REDIS_URL, LOG_LEVEL, … — see the README).`,
};

export const USAGE = `${CLI_NAME_VERSION}: peer-to-peer file sharing over WebRTC, with the browser app's swarms.

Usage:
${Object.values(COMMAND_HELP)
  .map((h) => `  ${h.replaceAll('\n', '\n  ')}`)
  .join('\n')}
  tabswarm --version
  tabswarm --help | tabswarm COMMAND --help

Default tracker: ${DEFAULT_TRACKER}. Exit codes: 0 done, 2 bad input, 3 no peers in time, 4 storage error.
`;

export function isCommandName(s: string | undefined): s is CommandName {
  return s !== undefined && Object.hasOwn(COMMAND_HELP, s);
}
