/**
 * `tabswarm/engine`: the swarm engine as a library, free of DOM and of Node built-ins. Bring the
 * environment — a WebRTC connector, a WebSocket factory, a SHA-1, a piece store — and run a swarm
 * session; `tabswarm/node` has all four ready for Node.
 */
export { SwarmSession, DEFAULT_MAX_PEERS, type SessionOptions } from './session.ts';
export { Torrent, type TorrentDeps, type TorrentSource, type TorrentStats, type PeerStats, type RechokeEvent } from './torrent.ts';
export { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from './options.ts';
export { MemoryStore, type PieceStore } from './storage.ts';
export { FileStream, type FileStreamOptions } from './file-stream.ts';
export { readAheadBytes, DEFAULT_READ_AHEAD_BYTES, READ_AHEAD_SECONDS } from './read-ahead.ts';
export { uploadToStore, type StoreUploadOptions } from './store-upload.ts';
export { DEFAULT_OFFLOAD_OPTIONS, type OffloadOptions } from './offload.ts';
export type { StoreStatus, StoreLimits } from '../../shared/store-api.ts';
export { realClock, ManualClock, type Clock } from './clock.ts';
export { simplePeerConnector, type PeerConnector, type ConnectorOptions, type SimplePeerClass } from './webrtc.ts';
export type { WebSocketFactory, WebSocketLike } from './tracker-client.ts';
export { createTorrent, parseTorrent, encodeTorrentFile, pieceSize, type CreateTorrentOptions, type CreateInputFile, type CreatedTorrent, type Metainfo, type TorrentFileEntry } from '../../shared/metainfo/index.ts';
export { parseMagnet, buildMagnet, parseInfoHash, type MagnetLink, type MagnetInput } from '../../shared/magnet.ts';
export { TabswarmError, isTabswarmError, type ErrorCode } from '../../shared/errors.ts';
export { portableSha1, defaultSha1, type Sha1 } from '../../shared/sha1.ts';
export { dClientServer, dPeerToPeer, uniform, type Distribution } from '../../shared/theory.ts';
export { PIECE_LENGTH_BYTES, BLOCK_LENGTH_BYTES } from '../../shared/constants.ts';
