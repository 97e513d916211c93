// `node --import ./test/interop/register-wrtc-shim.mjs script.mjs`: resolve webrtc-polyfill to our shim.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      const shim = ${JSON.stringify(new URL('./wrtc-shim.mjs', import.meta.url).href)};
      export async function resolve(specifier, context, next) {
        if (specifier === 'webrtc-polyfill') return { url: shim, shortCircuit: true };
        return next(specifier, context);
      }
    `),
);
