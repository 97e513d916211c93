// Type-checked by package.test.ts against the installed package (strict, skipLibCheck off): each
// export's declarations resolve from plain `import` specifiers and describe what the JS exports.
import { TabswarmFile } from 'tabswarm/widget';
import { TabswarmFile as RootFile } from 'tabswarm';
import { SwarmSession, MemoryStore, parseMagnet, type TorrentStats, type EngineOptions } from 'tabswarm/engine';
import { FsStore, nodeConnector, nodeSha1 } from 'tabswarm/node';
import { createTabswarmServer, mountTracker, loadConfig, type MountedTracker, type ServerConfig } from 'tabswarm/server';

const element: typeof RootFile = TabswarmFile;
const magnet: string = parseMagnet('magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567').infoHash;
const upload: EngineOptions['uploadLimit'] = 0;
const statsDone = (s: TorrentStats): boolean => s.done;
const store: MemoryStore = new MemoryStore();
const config: ServerConfig = loadConfig({});
const mount: (s: import('node:http').Server) => MountedTracker = mountTracker;
export { element, magnet, upload, statsDone, store, config, mount, SwarmSession, FsStore, nodeConnector, nodeSha1, createTabswarmServer };
