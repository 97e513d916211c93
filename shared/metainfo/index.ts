export * from './types.ts';
export * from './parse.ts';
export * from './create.ts';
export * from './paths.ts';
export { PieceHasher } from './piece-hasher.ts';
export * from './torrent-file.ts';
