import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The playground page (web/). The machine (hw/) and the kernel (build/kernel.wasm) live outside
// the Vite root, so the dev server must be allowed to serve the whole repository.
const repoRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: 'web',
  base: './', // works from any sub-path (static hosting, GitHub Pages, a folder on a USB stick)
  publicDir: '../public',
  plugins: [react()],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0, // keep kernel.wasm a separate, cacheable file
    chunkSizeWarningLimit: 800, // React + xterm.js are ~560 kB minified, ~150 kB gzipped
  },
  worker: { format: 'es' },
  server: { fs: { allow: [repoRoot] } },
  preview: { port: 4173, strictPort: true },
});
