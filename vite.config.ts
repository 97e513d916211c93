import { defineConfig } from 'vite';

// Two builds into dist/: the app (default mode), and `--mode widget`, the <tabswarm-file> library
// served as ORIGIN/tabswarm-file.js for any site to load.
export default defineConfig(({ mode }) =>
  mode === 'widget'
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
