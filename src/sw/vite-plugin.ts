import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformWithOxc, type Plugin, type ResolvedConfig } from 'vite';

const SOURCE = fileURLToPath(new URL('./service-worker.ts', import.meta.url));
export const SERVICE_WORKER_FILE = 'sw.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : entry.isFile() ? [path] : [];
  });
}

export interface ServiceWorkerOptions {
  /** The package folder the app opens by default: the only one under `models/` that is precached. */
  defaultModel?: string;
}

/**
 * Writes `sw.js` into the build: the service worker in ./service-worker.ts
 * with the list of the files the build holds (index.html, hashed assets and
 * worker scripts, onnxruntime's .mjs/.wasm, public/ — the samples and the
 * default model) and a version that changes with any file's contents, so a
 * new build installs a new cache and the old one is deleted.
 *
 * Other packages a build may hold under `models/` (a booth's own, Hub files
 * pulled for serving) are not precached: they can be large, and the workers
 * keep a package's files in their own cache once it is opened.
 */
export function serviceWorkerPlugin({ defaultModel = 'models/gvt-tiny/' }: ServiceWorkerOptions = {}): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'gvt-service-worker',
    apply: (_, env) => env.command === 'build' && !env.isSsrBuild,
    // What src/sw/register.ts registers: set in builds only, so `vite` dev registers nothing.
    // (Not import.meta.env.PROD: that follows NODE_ENV, which is `test` when the tests build the app.)
    config: () => ({ define: { 'import.meta.env.SERVICE_WORKER': JSON.stringify(SERVICE_WORKER_FILE) } }),
    configResolved(resolved) {
      config = resolved;
    },
    // After the files are written (public/ was copied before): a failed build never gets here.
    writeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        const outDir = resolve(config.root, config.build.outDir);
        const assetsDir = `${config.build.assetsDir.replace(/\/+$/, '')}/`;
        const files = listFiles(outDir)
          .map((path) => ({ path, url: relative(outDir, path).split(sep).join('/') }))
          .filter(({ url }) => url !== SERVICE_WORKER_FILE && !url.endsWith('.map'))
          .filter(({ url }) => !url.startsWith('models/') || url.startsWith(defaultModel))
          .sort((a, b) => a.url.localeCompare(b.url));
        const version = createHash('sha256');
        for (const { path, url } of files) version.update(`${url}\0${createHash('sha256').update(readFileSync(path)).digest('hex')}\n`);
        const precache = {
          version: version.digest('hex').slice(0, 16),
          files: files.map(({ url }) => ({ url, immutable: url.startsWith(assetsDir) })),
        };
        const source = readFileSync(SOURCE, 'utf8');
        const { code } = await transformWithOxc(source, SOURCE, { lang: 'ts', target: 'es2020' });
        // A classic script (every browser runs those as service workers): the module marker goes.
        const script = code.replace(/^export \{\};?\s*$/m, '');
        if (/^\s*(import|export)\b/m.test(script)) throw new Error('service-worker.ts must stay free of imports and exports');
        writeFileSync(join(outDir, SERVICE_WORKER_FILE), `const PRECACHE = ${JSON.stringify(precache)};\n${script}`);
      },
    },
  };
}
