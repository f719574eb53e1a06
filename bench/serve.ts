/** Builds bench/index.html with the app's code, puts the package and images beside it and serves it as `vite preview` does. */
import { cpSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build, preview, type InlineConfig } from 'vite';

const ROOT = resolve(import.meta.dirname, '..');

export interface BenchSite {
  base: string;
  imageUrls: string[];
  close(): Promise<void>;
}

/** `extra`: build options on top (the profile builds unminified, with onnxruntime-web's readable build). */
export async function serveBench(modelDir: string, images: string[], extra: InlineConfig = {}): Promise<BenchSite> {
  const outDir = join(ROOT, '.cache', 'bench-build');
  rmSync(outDir, { recursive: true, force: true });
  await build({ root: ROOT, logLevel: 'warn', ...extra, build: { outDir, rollupOptions: { input: join(ROOT, 'bench/index.html') }, ...extra.build } });
  cpSync(modelDir, join(outDir, 'models/bench'), { recursive: true });
  for (const image of images) cpSync(image, join(outDir, 'bench-images', basename(image)));
  const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
  return {
    base: server.resolvedUrls!.local[0],
    imageUrls: images.map((image) => `/bench-images/${basename(image)}`),
    close: () => server.close(),
  };
}
