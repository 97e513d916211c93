import { defineConfig } from 'vite';

// The app's sources live in client/; the build lands in dist/, which the signal server serves.
export default defineConfig({
  root: 'client',
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // `npm run dev`: the tracker and /config come from the signal server on 8080.
    proxy: { '/healthz': 'http://localhost:8080' },
  },
});
