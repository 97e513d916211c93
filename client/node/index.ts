/**
 * `tabswarm/node`: what the engine needs from Node, ready made — WebRTC through @roamhq/wrtc,
 * WebSockets through `ws`, SHA-1 through node:crypto, and pieces stored as plain files on disk
 * (resumable: a restart re-verifies what is there and fetches only the rest).
 */
export { nodeConnector, nodeOpenSocket, nodePeerId } from './peer-env.ts';
export { nodeSha1 } from './sha1.ts';
export { FsStore, contentPaths, contentRoot, type FsStoreOptions } from './fs-store.ts';
