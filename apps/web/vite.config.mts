import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The media library, served by the api at /library (apps/api/src/library). Assets get content hashes in their names
 * under assets/, which the api serves as immutable; index.html is served no-cache and names the current ones.
 */
export default defineConfig({
  root,
  base: '/library/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Uppy's dashboard with preact is about 300 kB; one chunk is fine for a page loaded once per session.
    chunkSizeWarningLimit: 600,
  },
});
