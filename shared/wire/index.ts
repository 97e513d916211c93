export * from './messages.ts';
export * from './encode.ts';
export * from './parser.ts';
export * from './extension.ts';
