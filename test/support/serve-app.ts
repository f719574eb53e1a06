import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';
import { ROOT, TEST_PACKAGE } from './paths';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
    /** The folder the app was built into and is served from (one per test run, so two runs can share a checkout). */
    appBuild: string;
  }
}

export const TEST_PACKAGE_PATH = 'models/test-package/';
const OUT_DIR = join(ROOT, '.cache', `app-test-build-${process.pid}`);

let server: PreviewServer | undefined;

/** Packages a user could meet on a bad day: a manifest missing a field, a file damaged in transit. */
function addBrokenPackages(): void {
  const copy = (name: string) => {
    const dir = join(OUT_DIR, 'models', name);
    cpSync(TEST_PACKAGE, dir, { recursive: true });
    return dir;
  };
  const noSize = copy('broken-manifest');
  const manifest = JSON.parse(readFileSync(join(noSize, 'manifest.json'), 'utf8'));
  delete manifest.image.size;
  writeFileSync(join(noSize, 'manifest.json'), JSON.stringify(manifest));
  const damaged = copy('damaged-file');
  const decoder = readFileSync(join(damaged, 'decoder_model_merged.onnx'));
  decoder[decoder.length >> 1] ^= 0xff;
  writeFileSync(join(damaged, 'decoder_model_merged.onnx'), decoder);
}

/** Builds the app as it ships, adds the random-weight package, and serves it with `vite preview`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  await build({ root: ROOT, logLevel: 'warn', build: { outDir: OUT_DIR, emptyOutDir: true } });
  cpSync(TEST_PACKAGE, join(OUT_DIR, TEST_PACKAGE_PATH), { recursive: true });
  addBrokenPackages();
  server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir: OUT_DIR }, preview: { port: 0, host: '127.0.0.1' } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('appUrl', url);
  project.provide('appBuild', OUT_DIR);
  return async () => {
    await server?.close();
    rmSync(OUT_DIR, { recursive: true, force: true });
  };
}
