/**
 * The model panel: the model card, each file's download (bytes and percent),
 * what Cache Storage holds and its size, a reload served from the cache, and
 * Clear cache.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/format';
import { launchChromium } from '../support/browser';
import { TEST_PACKAGE } from '../support/paths';
import { modelUrl, waitReady } from './app-helpers';

const manifest = JSON.parse(readFileSync(join(TEST_PACKAGE, 'manifest.json'), 'utf8'));
const files = Object.values(manifest.files) as { path: string; bytes: number }[];
const totalBytes = files.reduce((sum, f) => sum + f.bytes, 0);

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Package files the page (and its workers) fetched from the server. */
let fetched: string[] = [];

beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
  context = await browser.newContext();
  // The test package has no model card: serve one, as a real package ships its README.md.
  await context.route('**/models/test-package/README.md', (route) =>
    route.fulfill({ contentType: 'text/markdown', body: '# GVT test\n\nRandom weights: answers are gibberish.' }),
  );
  context.on('request', (request) => {
    // The service worker's own fetches (its network-first copies) are not the app downloading again.
    if (request.serviceWorker()) return;
    if (/\/models\/test-package\/.+\.(onnx|json)$/.test(request.url()) && !request.url().endsWith('manifest.json')) fetched.push(request.url());
  });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

describe('the model panel', () => {
  it('shows the model card and, per file, bytes and percent while and after loading', async () => {
    // Slow the graphs down so the download can be watched.
    await context.route('**/models/test-package/*.onnx', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.goto(modelUrl());
    await page.getByText(/Loading .*… .* \/ .* \(\d+%\)/).waitFor({ timeout: 20_000 });
    // Each file's row appears as its bytes arrive, before the model is ready.
    await page.getByText('Files (downloading)').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('file-progress').locator('li').first().textContent()).toMatch(/ \/ .* · \d+%/);
    await waitReady(page);
    await context.unroute('**/models/test-package/*.onnx');

    await page.getByText('Model card', { exact: true }).click();
    expect(await page.getByTestId('model-card').textContent()).toContain('Random weights: answers are gibberish.');
    const rows = page.getByTestId('file-progress').locator('li');
    expect(await rows.count()).toBe(files.length);
    for (const f of files) {
      const row = rows.filter({ hasText: f.path });
      expect(await row.textContent()).toMatch(/(\d[\d.]* (B|kB|MB)) \/ \1 · 100%/);
      expect(await row.getByRole('progressbar').getAttribute('value')).toBe(String(f.bytes));
    }
  });

  it('lists what is cached with its size, and a reload reads the files from the cache', async () => {
    const summary = `${files.length} files, ${formatBytes(totalBytes)} cached`.replace('.', '\\.');
    await expect.poll(() => page.getByTestId('cache-summary').textContent()).toMatch(new RegExp(`^${summary}`));
    for (const f of files) expect(await page.getByTestId('cache-files').textContent()).toContain(`test-package/${f.path}`);

    fetched = [];
    await page.reload();
    await waitReady(page);
    expect(fetched, 'no package file was downloaded again').toEqual([]);
  });

  it('Clear cache empties it; the next load downloads and caches the files again', async () => {
    await page.getByRole('button', { name: 'Clear cache' }).click();
    await expect.poll(() => page.getByTestId('cache-summary').textContent()).toBe('Nothing cached yet.');
    expect(await page.getByRole('button', { name: 'Clear cache' }).isDisabled()).toBe(true);
    // What is left belongs to the service worker (the app's shell, so it starts offline), and holds none of this package's weights.
    const left = await page.evaluate(async () => {
      const names = await caches.keys();
      const urls: string[] = [];
      for (const name of names) for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
      return { names, urls };
    });
    expect(left.names.filter((name) => !/^gvt-web-(shell|runtime)-/.test(name))).toEqual([]);
    expect(left.urls.filter((url) => /\/models\/test-package\/.+\.onnx/.test(url))).toEqual([]);

    fetched = [];
    await page.reload();
    await waitReady(page);
    expect(fetched.length).toBe(files.length);
    await expect.poll(() => page.getByTestId('cache-summary').textContent()).toMatch(new RegExp(`^${files.length} files`));
  });
});
