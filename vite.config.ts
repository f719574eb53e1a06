import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { serviceWorkerPlugin } from './src/sw/vite-plugin.js';

/** Cross-origin isolation: without it the browser gives no SharedArrayBuffer, and WASM runs on one thread. */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // sw.js: the app starts offline after one visit (src/sw/).
  plugins: [react(), serviceWorkerPlugin()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  // ES-module workers: with the default format, 2-thread WASM hangs silently.
  worker: { format: 'es' },
  // Pre-bundling would move onnxruntime-web away from its .wasm files.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
