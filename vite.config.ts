import { defineConfig } from 'vite';

// Three builds into dist/: the app (default mode), `--mode widget`, the <tabswarm-file> library
// served as ORIGIN/tabswarm-file.js for any site to load, and `--mode sw`, the streaming service worker.
export default defineConfig(({ mode }) =>
  mode === 'sw'
    ? {
        // The streaming service worker, self-contained (a classic worker script imports nothing) at
        // the root, unhashed: its URL is its identity, and its scope (/) must cover /stream/.
        build: {
          outDir: 'dist',
          emptyOutDir: false,
          target: 'es2022',
          lib: { entry: 'client/browser/stream-sw.ts', formats: ['iife'], name: 'tabswarmStreamWorker', fileName: () => 'tabswarm-sw.js' },
        },
      }
    : mode === 'widget'
    ? {
        build: {
          outDir: 'dist',
          emptyOutDir: false,
          target: 'es2022',
          lib: { entry: 'client/ui/widget.ts', formats: ['es'], fileName: () => 'tabswarm-file.js' },
        },
      }
    : {
        root: 'client',
        // Hidden source maps: nothing in the page points at them; bench:cpu reads them to name the
        // source files a profile's time went to.
        build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', sourcemap: 'hidden' },
        server: { proxy: { '/healthz': 'http://localhost:8080' } },
      },
);
