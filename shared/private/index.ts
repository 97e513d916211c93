/** Private shares: content and names sealed in the sharing tab, the key only in the link. */
export * from './key.ts';
export * from './records.ts';
export * from './manifest.ts';
export * from './seal.ts';
export * from './open.ts';
export * from './contents.ts';
