#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so `npx tabswarm` works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('../client/cli/main.ts');
