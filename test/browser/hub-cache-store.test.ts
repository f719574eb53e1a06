/**
 * Hub downloads in Debian Chromium through the real Cache Storage store: a
 * page cross-origin isolated like the app (COOP/COEP) on `localhost` fetches
 * from the local Hub stand-in on `127.0.0.1` (another origin, so its CORS and
 * CORP headers are exercised). The page runs src/hub/ bundled by Vite as
 * `window.hub`; it is served by Playwright routes, so it needs no app build.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build, type Rolldown } from 'vite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, recordConsole } from '../support/browser';
import { startHubServer, type HubServer } from '../support/hub-server';
import { ROOT } from '../support/paths';

declare const hub: typeof import('../../src/files/download') &
  typeof import('../../src/files/download-list') &
  typeof import('../../src/files/file-store') &
  typeof import('../../src/files/cache-store') &
  typeof import('../../src/hub/catalogue');

const REPO = 'test-org/tiny-vlm';
const OTHER = 'test-org/other';
const root = mkdtempSync(join(tmpdir(), 'hub-browser-'));
const model = randomBytes(300_000);
const config = Buffer.from(JSON.stringify({ model_type: 'tiny' }));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let server: HubServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pages: Server;
let pageUrl: string;
let consoleLines: string[] = [];
const gets = () => server.log.filter((r) => r.method === 'GET');

/** The file store (src/files/) and Hub file URLs as one classic script that sets `window.hub`. */
async function bundleHub(): Promise<string> {
  const entry = '\0hub-entry';
  const result = await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    plugins: [
      {
        name: 'hub-entry',
        resolveId: (id) => (id.endsWith('hub-entry') ? entry : null), // lib mode passes it as a path under root
        load: (id) => (id === entry ? ['files/download', 'files/download-list', 'files/file-store', 'files/cache-store', 'hub/catalogue'].map((m) => `export * from '${ROOT}src/${m}.ts';`).join('\n') : null),
      },
    ],
    build: { write: false, minify: false, lib: { entry: 'hub-entry', formats: ['iife'], name: 'hub' } },
  });
  return ((Array.isArray(result) ? result[0] : result) as Rolldown.RolldownOutput).output[0].code;
}

async function openPage(): Promise<void> {
  page = await context.newPage();
  consoleLines = recordConsole(page);
  await page.goto(pageUrl);
  await page.waitForFunction(() => typeof hub !== 'undefined');
}

interface Outcome {
  info?: import('../../src/files/file-store').StoredFile;
  sha?: string;
  error?: { kind: string; message: string };
  progress: { loaded: number; total: number }[];
}

/** Runs downloadFile in the page on a CacheStore; `cancelAfter` aborts once that many bytes arrived. */
function download(file: string, options: { repo?: string; cancelAfter?: number } = {}): Promise<Outcome> {
  return page.evaluate(
    async ({ endpoint, repo, file, cancelAfter }) => {
      const progress: Outcome['progress'] = [];
      const controller = new AbortController();
      try {
        const { info, bytes } = await hub.downloadFile(hub.hubFile(repo, file, { endpoint }), {
          store: new hub.CacheStore(),
          signal: controller.signal,
          retryDelayMs: 5,
          checkpointBytes: 64 * 1024,
          onProgress: ({ loaded, total }) => {
            progress.push({ loaded, total });
            if (cancelAfter && loaded > cancelAfter) controller.abort();
          },
        });
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
        return { info, sha: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), progress };
      } catch (e) {
        const error = e as { kind: string; message: string };
        return { error: { kind: error.kind, message: error.message }, progress };
      }
    },
    { endpoint: server.url, repo: options.repo ?? REPO, file, cancelAfter: options.cancelAfter ?? 0 },
  );
}

/** What Cache Storage holds, as the store reads it back. */
const stored = () =>
  page.evaluate(async () => {
    const store = new hub.CacheStore();
    return { files: await store.list(), partials: await store.listPartials(), models: await hub.cachedModels(store) };
  });

beforeAll(async () => {
  for (const repo of [REPO, OTHER]) {
    mkdirSync(join(root, repo, 'onnx'), { recursive: true });
    writeFileSync(join(root, repo, 'onnx', 'model.onnx'), model);
    writeFileSync(join(root, repo, 'config.json'), config);
  }
  server = await startHubServer(root);
  const script = await bundleHub();
  // A page server of its own: another origin than the Hub's, and on loopback, because Chromium's
  // local-network-access check blocks a page it cannot place (a Playwright route) from fetching loopback.
  const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  pages = createServer((req, res) => {
    if (req.url === '/hub-test.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
    else res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end('<!doctype html><title>hub test</title><script src="/hub-test.js"></script>');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/hub-test.html`;
  browser = await launchChromium({ webgpu: false });
  context = await browser.newContext();
  await openPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  pages?.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => server.reset());

describe('Hub downloads into Cache Storage in Chromium', () => {
  it('runs cross-origin isolated and downloads with progress up to the total, stored with size and sha256', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    server.throttle({ chunkBytes: 16_384, delayMs: 5 });
    const outcome = await download('onnx/model.onnx');
    expect(outcome.error, consoleLines.join('\n')).toBeUndefined();
    expect(outcome.sha).toBe(sha(model));
    const loaded = outcome.progress.map((p) => p.loaded);
    expect(loaded.length).toBeGreaterThan(5);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(outcome.progress.at(-1)).toEqual({ loaded: model.length, total: model.length });
    const { files, partials, models } = await stored();
    expect(files).toEqual([expect.objectContaining({ repo: REPO, file: 'onnx/model.onnx', size: model.length, sha256: sha(model), verified: 'sha256' })]);
    expect(partials).toEqual([]);
    expect(models).toEqual([expect.objectContaining({ repo: REPO, bytes: model.length, partialBytes: 0 })]);
  });

  it('resumes a dropped connection with a Range request', async () => {
    server.dropAfter(100_000, { file: 'model.onnx' });
    const outcome = await download('onnx/model.onnx', { repo: OTHER });
    expect(outcome.error, consoleLines.join('\n')).toBeUndefined();
    expect(outcome.sha).toBe(sha(model));
    expect(gets().map((r) => r.range)).toEqual([null, 'bytes=100000-']);
    expect(gets()[1].status).toBe(206);
    expect((await stored()).partials).toEqual([]);
  });

  it('refuses a corrupted file with a clear message and stores nothing', async () => {
    await page.evaluate(() => hub.deleteModel(new hub.CacheStore(), 'test-org/other'));
    server.corrupt('model.onnx');
    const outcome = await download('onnx/model.onnx', { repo: OTHER });
    expect(outcome.error?.kind).toBe('integrity');
    expect(outcome.error?.message).toMatch(new RegExp(`^test-org/other/onnx/model\\.onnx is damaged: its sha256 is [0-9a-f]{64} but the server publishes ${sha(model)}\\. .*download it again\\.$`));
    const { files, partials } = await stored();
    expect(files.map((f) => f.repo)).toEqual([REPO]);
    expect(partials).toEqual([]);
  });

  it('keeps the bytes of a cancelled download across a reload and resumes from them', async () => {
    server.throttle({ chunkBytes: 8192, delayMs: 10 });
    const cancelled = await download('onnx/model.onnx', { repo: OTHER, cancelAfter: 100_000 });
    expect(cancelled.error?.kind).toBe('cancelled');
    const [partial] = (await stored()).partials;
    expect(partial).toMatchObject({ repo: OTHER, file: 'onnx/model.onnx', size: model.length, sha256: sha(model) });
    expect(partial.offset).toBeGreaterThan(100_000);

    await page.reload();
    await page.waitForFunction(() => typeof hub !== 'undefined');
    server.reset();
    const resumed = await download('onnx/model.onnx', { repo: OTHER });
    expect(resumed.error, consoleLines.join('\n')).toBeUndefined();
    expect(resumed.progress[0].loaded).toBe(partial.offset);
    expect(gets().map((r) => r.range)).toEqual([`bytes=${partial.offset}-`]);
    expect(resumed.sha).toBe(sha(model));
    expect((await stored()).partials).toEqual([]);
  });

  it('after a reload with the server stopped, serves stored files and says "network" for the rest', async () => {
    await server.stop();
    try {
      await page.reload();
      await page.waitForFunction(() => typeof hub !== 'undefined');
      const infos = await page.evaluate(
        (endpoint) => hub.downloadFiles([hub.hubFile('test-org/tiny-vlm', 'onnx/model.onnx', { endpoint })], { store: new hub.CacheStore(), retries: 0 }),
        server.url,
      );
      expect(infos.map((i) => [i.file, i.size])).toEqual([['onnx/model.onnx', model.length]]);
      const offline = await download('config.json');
      expect(offline.error?.kind).toBe('network');
      expect(offline.error?.message).toMatch(/^Network error: could not reach http:\/\/127\.0\.0\.1:\d+ to download test-org\/tiny-vlm\/config\.json \(Failed to fetch\)\. Check the connection and try again\.$/);
    } finally {
      await server.start();
    }
  });

  it('names the repo and file of a 404', async () => {
    const outcome = await download('onnx/missing.onnx');
    expect(outcome.error).toEqual({
      kind: 'not-found',
      message: 'onnx/missing.onnx was not found in test-org/tiny-vlm at revision main (HTTP 404 EntryNotFound). Check the file name and revision.',
    });
  });

  it('turns a full quota into a message naming what is needed and which model to delete', async () => {
    await page.evaluate(() => hub.deleteModel(new hub.CacheStore(), 'test-org/other'));
    const cdp = await context.newCDPSession(page);
    const origin = new URL(pageUrl).origin;
    const { usage } = await page.evaluate(() => navigator.storage.estimate());
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: (usage ?? 0) + 100_000 });
    try {
      // A write past the quota: Chromium's QuotaExceededError from Cache Storage, reworded.
      const outcome = await download('onnx/model.onnx', { repo: OTHER });
      expect(outcome.error?.kind, JSON.stringify(outcome.error)).toBe('quota');
      expect(outcome.error?.message).toMatch(
        /^Not enough storage for test-org\/other\/onnx\/model\.onnx: it needs \d+ kB\. Delete a cached model to make room \(test-org\/tiny-vlm: 300 kB\), then download again\.$/,
      );
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin });
      await page.evaluate(() => hub.deleteModel(new hub.CacheStore(), 'test-org/other'));
    }
  });

  it('refuses a download that cannot fit before fetching it', async () => {
    // Chromium's quota override leaves navigator.storage.estimate() as it was: the estimate is stubbed instead.
    await page.evaluate(() => {
      navigator.storage.estimate = async () => ({ quota: 1_000_000, usage: 950_000 });
    });
    try {
      const outcome = await download('onnx/model.onnx', { repo: OTHER });
      expect(outcome.error?.message).toBe(
        'Not enough storage for test-org/other/onnx/model.onnx: it needs 300 kB and the browser allows about 50 kB more for this site. Delete a cached model to make room (test-org/tiny-vlm: 300 kB), then download again.',
      );
      expect(gets()).toEqual([]);
    } finally {
      await page.reload();
      await page.waitForFunction(() => typeof hub !== 'undefined');
    }
  });

  it('deletes a model from Cache Storage', async () => {
    expect((await stored()).models.map((m) => m.repo)).toEqual([REPO]);
    await page.evaluate(() => hub.deleteModel(new hub.CacheStore(), 'test-org/tiny-vlm'));
    expect((await stored()).models).toEqual([]);
    const entries = await page.evaluate(async () => {
      const names = [hub.FILES_CACHE, hub.PARTIAL_FILES_CACHE];
      return (await Promise.all(names.map(async (n) => (await (await caches.open(n)).keys()).length))).reduce((a, b) => a + b, 0);
    });
    expect(entries).toBe(0);
  });
});
