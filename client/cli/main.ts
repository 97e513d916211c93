/**
 * `tabswarm` — the command line. Each command is a module under commands/; this file only parses
 * arguments and turns failures into one line on stderr and exit code 2 (never a stack trace).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TabswarmError } from '../../shared/errors.ts';
import { createCommand } from './commands/create.ts';
import { linkKeyOf } from './link-key.ts';
import { inlineDashValues } from './inline-values.ts';
import { encodeLinkKey, newLinkKey } from '../../shared/private/key.ts';
import { infoCommand } from './commands/info.ts';
import { DOWNLOAD, SEEDING, WORKER_ENV, endWithSupervisor, superviseWorker } from './worker-supervisor.ts';
import { ExitError } from './exit.ts';
import { DEFAULT_TRACKER, checkTrackers, parseByteRate, parseExpiry } from './swarm-args.ts';
import { COMMAND_HELP, USAGE, isCommandName } from './usage.ts';
import { CLI_NAME_VERSION } from './version.ts';

/** Bad input, by the CLI's contract: scripts can tell it from success (0) and crashes (1). */
const EXIT_BAD_INPUT = 2;

class UsageError extends Error {}

/**
 * parseArgs over a command's arguments, with values that begin with "-" allowed (inline-values.ts),
 * and its own errors (unknown option, missing value) turned into usage errors.
 */
function parseCommand<const O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: inlineDashValues(args, options), allowPositionals, options });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The Tabswarm server for --keep: --server, or the one running the (first) tracker. */
function serverOf(server: string | undefined, tracker: string): string {
  const url = server ?? tracker.replace(/^ws(s?):/, 'http$1:');
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError(`--server takes an http:// or https:// URL, not "${url}"`);
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') throw new UsageError(`--server takes an http:// or https:// URL, not "${url}"`);
  return parsedUrl.origin;
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`);
  if (positionals.length > 1) throw new UsageError(`expected one ${what}, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0]!;
}

/** This process is the worker a supervising `seed` or `get` started (worker-supervisor.ts). */
function isWorker(): boolean {
  return process.env[WORKER_ENV] === '1';
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  // `tabswarm COMMAND --help` (anywhere before a lone "--"): that command's help, nothing run.
  const beforeDashes = rest.indexOf('--') === -1 ? rest : rest.slice(0, rest.indexOf('--'));
  if (isCommandName(command) && (beforeDashes.includes('--help') || beforeDashes.includes('-h'))) {
    process.stdout.write(`${COMMAND_HELP[command]}\n`);
    return;
  }
  switch (command) {
    case 'create': {
      const { values, positionals } = parseCommand(rest, {
        output: { type: 'string', short: 'o' },
        announce: { type: 'string', multiple: true, short: 'a' },
        'web-seed': { type: 'string', multiple: true, short: 'w' },
        'torrent-url': { type: 'string' },
        private: { type: 'boolean', default: false },
        expires: { type: 'string' },
        json: { type: 'boolean', default: false },
      });
      if (values.expires !== undefined && !values.private) throw new UsageError('--expires is for private links: add --private');
      await createCommand({
        private: values.private,
        expiresAt: values.expires === undefined ? undefined : parseExpiry(values.expires, Date.now()),
        path: onePositional(positionals, 'PATH to a file or folder'),
        output: values.output,
        announce: values.announce ?? [],
        webSeeds: values['web-seed'] ?? [],
        torrentUrl: values['torrent-url'],
        json: values.json,
      });
      return;
    }
    case 'info': {
      const { values, positionals } = parseCommand(rest, { json: { type: 'boolean', default: false } });
      await infoCommand({ file: onePositional(positionals, 'FILE.torrent'), json: values.json });
      return;
    }
    case 'seed': {
      const { values, positionals } = parseCommand(rest, {
        tracker: { type: 'string', multiple: true, short: 't' },
        'upload-limit': { type: 'string' },
        torrent: { type: 'string' },
        'no-initial-seeding': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        server: { type: 'string' },
        private: { type: 'boolean', default: false },
        key: { type: 'string' },
        expires: { type: 'string' },
        'allow-relays': { type: 'boolean', default: false },
        'relay-only': { type: 'boolean', default: false },
      });
      if (values['allow-relays'] && !values.private && values.key === undefined) throw new UsageError('--allow-relays is for private links: add --private (or --key)');
      if (values.expires !== undefined && !values.private && values.key === undefined) throw new UsageError('--expires is for private links: add --private (or --key)');
      const expiresAt = values.expires === undefined ? undefined : parseExpiry(values.expires, Date.now());
      if (values.private && values.torrent !== undefined) throw new UsageError('--private seals PATH into a new share; to seed a sealed file with its .torrent, give --key instead');
      if (values.key !== undefined && values.torrent === undefined && !values.private) throw new UsageError('--key seeds a sealed file: add --torrent FILE.torrent (or --private to seal PATH anew)');
      const privateKey = values.key === undefined ? undefined : linkKeyOf(values.key);
      const trackers = checkTrackers(values.tracker ?? [DEFAULT_TRACKER]);
      if (values.server !== undefined && !values.keep) throw new UsageError('--server names where --keep uploads to; add --keep');
      // The command the user runs watches over a worker that seeds, and restarts it if the
      // native WebRTC library crashes it (worker-supervisor.ts).
      if (!isWorker()) {
        // A new private share's key is made here, once, and handed to the worker: a restarted worker
        // seals PATH again under the same key into the same torrent, so the printed link stays good.
        const extra = values.private && privateKey === undefined ? [`--key=${encodeLinkKey(newLinkKey())}`] : [];
        // A relative expiry (--expires 1h) is fixed now, so a restarted worker keeps the same one (the last --expires wins).
        if (expiresAt !== undefined) extra.push(`--expires=${new Date(expiresAt).toISOString()}`);
        process.exitCode = await superviseWorker(process.argv[1]!, [...process.argv.slice(2), ...extra], SEEDING);
        return;
      }
      endWithSupervisor();
      // Loaded on demand: the WebRTC stack is heavy, and create/info do not need it.
      const { seedCommand } = await import('./commands/seed.ts');
      await seedCommand({
        path: onePositional(positionals, 'PATH to a file or folder'),
        torrent: values.torrent,
        trackers,
        uploadLimit: parseByteRate(values['upload-limit'], '--upload-limit'),
        initialSeeding: !values['no-initial-seeding'],
        keepOn: values.keep ? serverOf(values.server, trackers[0]!) : undefined,
        privateKey,
        sealPlain: values.private,
        expiresAt,
        allowRelays: values['allow-relays'],
        relayOnly: values['relay-only'],
      });
      return;
    }
    case 'get': {
      const { values, positionals } = parseCommand(rest, {
        output: { type: 'string', short: 'o', default: '.' },
        tracker: { type: 'string', multiple: true, short: 't' },
        'upload-limit': { type: 'string' },
        seed: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '60' },
        'relay-only': { type: 'boolean', default: false },
      });
      const timeoutS = Number(values.timeout);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError('--timeout takes a number of seconds');
      // As for seed: a native crash mid-download starts the download again, resuming from what is verified on disk.
      if (!isWorker()) {
        process.exitCode = await superviseWorker(process.argv[1]!, process.argv.slice(2), DOWNLOAD);
        return;
      }
      endWithSupervisor();
      const { getCommand } = await import('./commands/get.ts');
      await getCommand({
        source: onePositional(positionals, 'MAGNET link or FILE.torrent'),
        outDir: values.output,
        trackers: checkTrackers(values.tracker ?? []),
        uploadLimit: parseByteRate(values['upload-limit'], '--upload-limit'),
        seed: values.seed,
        timeoutS,
        relayOnly: values['relay-only'],
      });
      return;
    }
    case 'serve': {
      parseCommand(rest, {}, false);
      const { runServer, ServerStartError } = await import('../../signal-server/run.ts');
      try {
        await runServer();
      } catch (err) {
        if (err instanceof ServerStartError) throw new ExitError(err.exitCode, err.message);
        throw err;
      }
      return;
    }
    case 'help': {
      const topic = rest[0];
      if (isCommandName(topic)) process.stdout.write(`${COMMAND_HELP[topic]}\n`);
      else if (topic === undefined) process.stdout.write(USAGE);
      else throw new UsageError(`no help on "${topic}": the commands are ${Object.keys(COMMAND_HELP).join(', ')}`);
      return;
    }
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    case 'version':
    case '--version':
    case '-v':
    case '-V':
      process.stdout.write(`${CLI_NAME_VERSION}\n`);
      return;
    case undefined:
      throw new UsageError('missing command');
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

try {
  await run(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`tabswarm: ${err.message} (see "tabswarm --help")\n`);
    process.exitCode = EXIT_BAD_INPUT;
  } else if (err instanceof TabswarmError) {
    process.stderr.write(`tabswarm: ${err.message} [${err.code}]\n`);
    process.exitCode = EXIT_BAD_INPUT;
  } else if (err instanceof ExitError) {
    process.stderr.write(`tabswarm: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    throw err;
  }
}
// WebRTC (wrtc) keeps native threads alive; once a command is over, the process is done.
process.exit();
