/**
 * Any screen: a 360 px phone and a 1440 px desktop (light and dark), with
 * screenshots in .cache/screenshots/; no horizontal overflow, and every named
 * control visible and reachable with Tab. The sample gallery: three to a row
 * on wide screens, a sideways strip on phones, drawn while the model is still
 * loading. Thumbnails of the images of this visit keep their proportions.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { ROOT } from '../support/paths';
import { answerDone, modelUrl, waitReady } from './app-helpers';
import { SAMPLES, runTask, useSample } from './demo-helpers';

const SHOTS = join(ROOT, '.cache', 'screenshots');
const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png'; // 451 × 300
const CONTROLS = ['Upload image', 'Paste', 'Camera', 'Question', 'Send', 'Stop', 'Caption', 'Count', 'Identify', 'Clear cache'];

let browser: Browser;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

/** The accessible names of the elements Tab visits, in order, from the top of the page. */
async function tabOrder(page: Page, presses: number): Promise<string[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.locator('body').focus();
  const names: string[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    names.push(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return '';
        return (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
      }),
    );
  }
  return names;
}

for (const { width, height, scheme } of [
  { width: 360, height: 780, scheme: 'light' },
  { width: 1440, height: 900, scheme: 'light' },
  { width: 360, height: 780, scheme: 'dark' },
  { width: 1920, height: 1080, scheme: 'dark' },
] as const) {
  describe(`${width} px, ${scheme}`, () => {
    let page: Page;
    beforeAll(async () => {
      page = await browser.newPage({ viewport: { width, height } });
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await page.goto(modelUrl());
      await waitReady(page);
    });
    afterAll(async () => {
      await page?.close();
    });

    it('first visit: the gallery, no horizontal overflow', async () => {
      await page.screenshot({ path: join(SHOTS, `first-visit-${width}-${scheme}.png`), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const { tiles, rows } = await galleryTiles(page);
      if (width <= 760) {
        // Phones: 256 px scenes in a strip that scrolls sideways.
        expect(rows).toBe(1);
        expect(tiles[0].width).toBeGreaterThanOrEqual(256);
        expect(await page.getByTestId('gallery').evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      } else {
        // Wide screens: every scene at once, three to a row.
        expect(rows).toBe(2);
        for (const t of tiles) expect(t.width).toBeGreaterThanOrEqual(120);
        expect(Math.max(...tiles.map((t) => t.y + t.height))).toBeLessThanOrEqual(height);
      }
    });

    it('with a scene and an answer: every named control is visible, reachable by Tab, and nothing overflows', async () => {
      await useSample(page, 0);
      await runTask(page, 'Count', { shape: 'star' });
      await answerDone(page);
      await page.getByLabel('Question').fill('What color is the circle?');
      await page.screenshot({ path: join(SHOTS, `answered-${width}-${scheme}.png`), fullPage: true });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);

      for (const name of CONTROLS) {
        const control = name === 'Upload image' || name === 'Question' ? page.getByLabel(name, { exact: true }) : page.getByRole('button', { name, exact: true });
        expect(await control.isVisible(), `${name} is visible`).toBe(true);
      }
      const visited = await tabOrder(page, 80);
      for (const name of CONTROLS) expect(visited, `Tab reaches ${name}`).toContain(name);
      // The page's own order: inputs, then tasks, then the question box, then the model panel.
      const at = (name: string) => visited.indexOf(name);
      expect(at('Upload image')).toBeLessThan(at('Caption'));
      expect(at('Caption')).toBeLessThan(at('Question'));
      expect(at('Question')).toBeLessThan(at('Send'));
      expect(at('Send')).toBeLessThan(at('Clear cache'));
    });

    it('works from the keyboard alone: a task and a question', async () => {
      const answers = await page.getByTestId('message-assistant').count();
      await page.getByRole('button', { name: 'Caption', exact: true }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('message-assistant').count()).toBe(answers + 1);
      await answerDone(page);
      await page.getByLabel('Question').focus();
      await page.keyboard.type('What shape is the yellow object?');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByTestId('message-assistant').count()).toBe(answers + 2);
      await answerDone(page);
    });
  });
}

/** Where the gallery's tiles are drawn, and how many rows they make. */
async function galleryTiles(page: Page) {
  const tiles = await Promise.all((await page.getByTestId('gallery').locator('img').all()).map(async (img) => (await img.boundingBox())!));
  return { tiles, rows: new Set(tiles.map((t) => Math.round(t.y))).size };
}

describe('the sample gallery while the model is still loading', () => {
  /** Opens the app with the model's weights held back, as on a first visit on a slow line, and looks at the gallery before they come. */
  async function whileLoading(viewport: { width: number; height: number }, look: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ viewport });
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    await context.route(/\.onnx$/, async (route) => {
      held++;
      await released;
      await route.continue();
    });
    try {
      const page = await context.newPage();
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(modelUrl());
      await expect.poll(() => held, { timeout: 30_000 }).toBeGreaterThan(0);
      const drawn = () =>
        page
          .getByTestId('gallery')
          .locator('img')
          .evaluateAll((all) => (all as HTMLImageElement[]).filter((img) => img.complete && img.naturalWidth > 0).length);
      await expect.poll(drawn, { timeout: 10_000 }).toBe(SAMPLES.length);
      await look(page);
      expect(await page.getByTestId('model-status').textContent(), 'the model was still loading').not.toMatch(/ready/);
    } finally {
      release();
      await context.close();
    }
  }

  it('1440 × 900: all six scenes drawn, in square tiles, in at most two rows on the first screen', async () => {
    await whileLoading({ width: 1440, height: 900 }, async (page) => {
      await page.screenshot({ path: join(SHOTS, 'gallery-while-loading-1440.png') });
      const { tiles, rows } = await galleryTiles(page);
      expect(rows).toBeLessThanOrEqual(2);
      for (const t of tiles) {
        expect(Math.abs(t.width - t.height), 'a square tile').toBeLessThanOrEqual(1);
        expect(t.width, 'big enough to tell the scenes apart').toBeGreaterThanOrEqual(120);
      }
      expect((await page.locator('details.gallery').boundingBox())!.height).toBeLessThan(600);
      expect(Math.max(...tiles.map((t) => t.y + t.height)), 'the last tile is on the first screen').toBeLessThanOrEqual(900);
    });
  });

  it('360 × 780: every scene in the sideways strip is drawn, those not yet scrolled into view too', async () => {
    await whileLoading({ width: 360, height: 780 }, async (page) => {
      const strip = page.getByTestId('gallery');
      await strip.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
      await page.screenshot({ path: join(SHOTS, 'gallery-while-loading-360-scrolled.png') });
      const { rows } = await galleryTiles(page);
      expect(rows, 'one sideways strip').toBe(1);
    });
  });
});

/**
 * The width / height of what a thumbnail draws: the rows and columns of its
 * screenshot that differ from what shows behind it (seen at its rounded corner).
 */
async function drawnAspect(page: Page, img: Locator): Promise<number> {
  const png = (await img.screenshot()).toString('base64');
  return page.evaluate(async (b64) => {
    const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
    const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    const behind = data.slice(0, 3);
    const drawn = (x: number, y: number) => [0, 1, 2].some((c) => Math.abs(data[(y * width + x) * 4 + c] - behind[c]) > 24);
    const range = (n: number) => [...Array(n).keys()];
    const rows = range(height).filter((y) => range(width).some((x) => drawn(x, y))).length;
    const columns = range(width).filter((x) => range(height).some((y) => drawn(x, y))).length;
    return columns / rows;
  }, png);
}

describe('Images this visit', () => {
  it('a thumbnail keeps its image’s proportions: a 451 × 300 photo is not squashed square', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(modelUrl());
    await waitReady(page);
    await page.getByLabel('Upload image').setInputFiles(PHOTO);
    await page.getByRole('img', { name: 'Your image: chelsea.png' }).waitFor();
    await page.getByText(/encoded in \d+ ms/).waitFor();
    await useSample(page, 1);
    const thumbnail = (name: string) => page.getByTestId('thread').filter({ hasText: name }).locator('img');
    await page.getByRole('navigation', { name: 'Images this visit' }).screenshot({ path: join(SHOTS, 'images-this-visit-1440.png') });
    // Within a pixel's rounding at 40 px: a squashed photo would come out square (1.0).
    expect(Math.abs((await drawnAspect(page, thumbnail('chelsea.png'))) / (451 / 300) - 1)).toBeLessThan(0.1);
    expect(Math.abs((await drawnAspect(page, thumbnail('sample-2.png'))) - 1)).toBeLessThan(0.1);
    await page.close();
  });
});

describe('user preferences', () => {
  it('follows prefers-color-scheme and prefers-reduced-motion', async () => {
    const page = await browser.newPage();
    await page.goto(modelUrl());
    const look = () =>
      page.evaluate(() => {
        const root = getComputedStyle(document.documentElement);
        const probe = document.createElement('div');
        probe.className = 'message';
        probe.innerHTML = '<p class="text streaming">…</p>';
        document.body.append(probe);
        const cursor = getComputedStyle(probe.firstElementChild!, '::after').animationName;
        probe.remove();
        return { background: root.backgroundColor, scroll: root.scrollBehavior, cursor };
      });
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    const light = await look();
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    const dark = await look();
    expect(light.background).toBe('rgb(247, 247, 249)');
    expect(dark.background).toBe('rgb(18, 19, 24)');
    expect(light).toMatchObject({ scroll: 'smooth', cursor: 'blink' });
    expect(dark).toMatchObject({ scroll: 'auto', cursor: 'none' });
    await page.close();
  });
});
