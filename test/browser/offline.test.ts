/**
 * Offline after one visit (an offline classroom, a booth laptop with no
 * network): the built app is visited once with its server up, then the server
 * is stopped for real (its port refuses connections) and Chromium is put
 * offline as well, and a reload must still start the app, cross-origin
 * isolated, load the model it had and answer on WASM, threaded too — for the
 * default model and for a `?model=` package. Back online, a new build
 * replaces the service worker's cache and leaves every other cache alone.
 *
 * The app is served here by a `vite preview` of its own (the build that
 * test/support/serve-app.ts made), because the shared server cannot be
 * stopped: this one is stopped and started again on the same port, so the
 * origin — and its service worker — stay the same.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { automaticWasm } from '../support/automatic-backend';
import { launchChromium, recordConsole } from '../support/browser';
import { ROOT, TEST_PACKAGE } from '../support/paths';
import { answerDone, answerText, ask, lastAnswer, uploadReference, waitReady } from './app-helpers';
import { runTask, useSample } from './demo-helpers';

/** Where test/support/serve-app.ts builds the app (with the test packages copied in after the build). */
const BUILD = inject('appBuild');
/** The same build with a changed service worker: a new release of the site. */
const NEXT_BUILD = `${BUILD}-next`;
const MODEL_CACHE = 'gvt-web-files-v1';
const nameOf = (dir: string): string => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).name;
const GVT_TINY = nameOf(join(ROOT, 'public', 'models', 'gvt-tiny'));
const TEST_MODEL = nameOf(TEST_PACKAGE);

const versionOf = (dir: string) => /"version":"([0-9a-z-]+)"/.exec(readFileSync(join(dir, 'sw.js'), 'utf8'))![1];

/** One origin whose server can be stopped and started again on the same port. */
class Origin {
  private server: PreviewServer | undefined;
  private port = 0;

  async start(outDir = BUILD): Promise<void> {
    this.server = await preview({
      root: ROOT,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: this.port, strictPort: this.port !== 0 },
    });
    this.port = Number(new URL(this.server.resolvedUrls!.local[0]).port);
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }
}

/** What the user has to see for a loaded model: no error, "ready", and the backend Automatic's WASM, in a cross-origin isolated page. */
async function expectReady(page: Page, log: string[], model: string): Promise<void> {
  await waitReady(page);
  expect(await page.getByTestId('model-status').textContent(), log.join('\n')).toContain(`${model} ready`);
  expect(await page.evaluate(() => self.crossOriginIsolated), 'threads need cross-origin isolation').toBe(true);
  expect(await page.getByTestId('backend').textContent()).toContain(await automaticWasm(page));
  expect(await page.getByRole('alert').count(), log.join('\n')).toBe(0);
}

async function expectOriginDown(origin: Origin): Promise<void> {
  await expect(fetch(origin.url), 'the server is really stopped').rejects.toThrow();
}

/**
 * As a user closes the tab and comes back later: the app is opened again, with
 * no page of the old version left (the closed page's workers also have to
 * end), until the new version's worker is the one in charge.
 */
async function reopenUntilUpdated(context: BrowserContext): Promise<Page> {
  for (let attempt = 1; attempt <= 8; attempt++) {
    for (const open of context.pages()) await open.close();
    await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    const page = await context.newPage();
    await page.goto(origin.url, { timeout: 120_000 });
    const updated = await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => !!r?.active && !r.waiting && !r.installing));
    if (updated) return page;
  }
  throw new Error('the new service worker never took over');
}

const origin = new Origin();
let browser: Browser;

beforeAll(async () => {
  await origin.start();
  browser = await launchChromium({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
  await origin.stop();
  rmSync(NEXT_BUILD, { recursive: true, force: true });
});

describe('the default model, offline after one visit', () => {
  let context: BrowserContext;
  let page: Page;
  let log: string[];
  /** Requests for the ONNX Runtime .wasm made by the service worker itself. */
  const wasmFromWorker: string[] = [];

  beforeAll(async () => {
    context = await browser.newContext();
    context.on('request', (request) => {
      if (request.serviceWorker() && request.url().endsWith('.wasm')) wasmFromWorker.push(request.url());
    });
    page = await context.newPage();
    log = recordConsole(page);
  });
  afterAll(async () => {
    await context?.close();
  });

  it('first visit: the service worker takes the page over, the model loads and answers', async () => {
    await page.goto(origin.url);
    await expectReady(page, log, GVT_TINY);
    await page.getByTestId('offline-status').getByText('Works offline').waitFor({ timeout: 120_000 });
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker serves the page').toBe(true);
    // Another app's cache on the same origin: nobody but its owner may delete it.
    await page.evaluate(() => caches.open('another-app').then((c) => c.put('/another-app', new Response('kept'))));

    await useSample(page, 0);
    await runTask(page, 'Count', { shape: 'star' });
    await answerDone(page);
    expect((await answerText(page)).trim().length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('cache-summary').textContent()).toMatch(/^\d+ files, .* cached/);
    expect(await page.evaluate(() => caches.keys())).toEqual(
      expect.arrayContaining([`gvt-web-shell-${versionOf(BUILD)}`, MODEL_CACHE, 'another-app']),
    );
  });

  it('server stopped and browser offline: a reload starts the app, isolated, and answers on WASM', async () => {
    await origin.stop();
    await context.setOffline(true);
    await expectOriginDown(origin);

    const response = await page.reload();
    expect(response?.fromServiceWorker(), 'the page came from the service worker').toBe(true);
    await expectReady(page, log, GVT_TINY);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    await page.getByText('Model card', { exact: true }).waitFor(); // its README.md, from the cache too

    // A sample scene (shipped in public/samples/) and a question, all without a network.
    await useSample(page, 1);
    await ask(page, 'How many shapes are in the image?');
    await answerDone(page);
    expect((await answerText(page)).trim().length).toBeGreaterThan(0);
    expect(await lastAnswer(page).locator('.stats').textContent()).toContain(await automaticWasm(page));

    // Threaded WASM offline too: its files come from the cache. Then back to Automatic for the tests after.
    await page.getByLabel('Backend').selectOption({ label: 'WASM, 2 threads' });
    await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toContain('WASM, 2 threads');
    await waitReady(page);
    await ask(page, 'How many shapes are in the image?');
    await answerDone(page);
    expect(await lastAnswer(page).locator('.stats').textContent()).toMatch(/WASM, 2 threads/);
    await page.getByLabel('Backend').selectOption({ label: 'Automatic' });
    await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toContain(await automaticWasm(page));
    await waitReady(page);
  });

  it('back online with a new build: its cache replaces the old one, other caches stay', async () => {
    rmSync(NEXT_BUILD, { recursive: true, force: true });
    cpSync(BUILD, NEXT_BUILD, { recursive: true });
    const sw = join(NEXT_BUILD, 'sw.js');
    const oldVersion = versionOf(BUILD);
    writeFileSync(sw, readFileSync(sw, 'utf8').replace(`"version":"${oldVersion}"`, `"version":"${oldVersion}-next"`));
    await origin.start(NEXT_BUILD);
    await context.setOffline(false);

    await page.reload();
    await expectReady(page, log, GVT_TINY);
    // The reload found the new sw.js and installed it in the background; it waits while a page of the old one is open.
    await page.waitForFunction(() => navigator.serviceWorker.getRegistration().then((r) => !!r?.waiting), null, { timeout: 120_000 });
    expect(await page.evaluate(() => caches.keys())).toContain(`gvt-web-shell-${oldVersion}`);

    page = await reopenUntilUpdated(context);
    log = recordConsole(page);
    await expectReady(page, log, GVT_TINY);
    // Its activation (which deletes the old cache) may still be finishing.
    await expect.poll(() => page.evaluate(() => caches.keys()), { timeout: 30_000 }).not.toContain(`gvt-web-shell-${oldVersion}`);
    expect(await page.evaluate(() => caches.keys())).toEqual(
      expect.arrayContaining([`gvt-web-shell-${oldVersion}-next`, MODEL_CACHE, 'another-app']),
    );
    // Each .wasm was downloaded once, by the first install; the update copied it from the old cache.
    expect(wasmFromWorker.length).toBeGreaterThan(0);
    expect(wasmFromWorker.length, wasmFromWorker.join('\n')).toBe(new Set(wasmFromWorker).size);
  });
});

describe('a ?model= package, offline after one visit', () => {
  let context: BrowserContext;
  let page: Page;
  let log: string[];

  beforeAll(async () => {
    await origin.stop();
    await origin.start();
    context = await browser.newContext();
    page = await context.newPage();
    log = recordConsole(page);
  });
  afterAll(async () => {
    await context?.close();
  });

  it('a package outside the build loads and answers after one visit, with the server stopped', async () => {
    const packageUrl = `${origin.url}models/test-package/`;
    await page.goto(`${origin.url}?model=/models/test-package/`);
    await expectReady(page, log, TEST_MODEL);
    await uploadReference(page);
    await ask(page, 'Is there a red circle?');
    await answerDone(page);
    const online = await answerText(page);
    // Its manifest was fetched before the service worker existed: the page asked it to keep it, and says so once it has.
    await page.getByTestId('offline-status').getByText('Works offline').waitFor({ timeout: 120_000 });
    expect(await page.evaluate((url) => caches.match(url).then((r) => r?.ok ?? false), `${packageUrl}manifest.json`)).toBe(true);

    await origin.stop();
    await context.setOffline(true);
    await expectOriginDown(origin);
    await page.reload();
    await expectReady(page, log, TEST_MODEL);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    await uploadReference(page);
    await ask(page, 'Is there a red circle?');
    await answerDone(page);
    expect(await answerText(page), 'greedy decoding: the same answer as online').toBe(online);
  });
});
