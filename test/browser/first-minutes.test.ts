/**
 * What a newcomer met in the first minutes: an error shown where they were not
 * looking, a sample picked twice opening a second conversation, a task pressed
 * while a new image was still being read, and SVG drawings refused.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { answerDone, answerText, ask, fitsViewport, lastAnswer, modelUrl, waitReady } from './app-helpers';
import { runTask, samplePath, useSample } from './demo-helpers';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

async function open(viewport = { width: 1440, height: 900 }, url = modelUrl()): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(url);
  await waitReady(page);
  return page;
}

const threads = (page: Page) => page.getByTestId('thread');
const upload = (page: Page, name: string, mimeType: string, buffer: Buffer) =>
  page.getByLabel('Upload image').setInputFiles({ name, mimeType, buffer });

/** A Shapes World card drawn as SVG: a grey ground, a red circle and a blue square, at the spec's sizes for a 112 px scene. */
const CARD_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 112 112" width="224" height="224">
  <rect width="112" height="112" fill="#d0d4d8"/>
  <circle cx="34" cy="36" r="11" fill="#e02020"/>
  <rect x="64" y="62" width="20" height="20" fill="#2050e0"/>
</svg>`;

describe('the first minutes', () => {
  it('on a phone scrolled down to the answers, an error shows in view', async () => {
    const page = await open({ width: 390, height: 844 });
    await useSample(page, 0);
    for (const question of ['How many stars are there?', 'Is there a red circle?', 'Caption this image.']) {
      await ask(page, question);
      await answerDone(page);
    }
    await lastAnswer(page).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(400);

    await upload(page, 'notes.txt', 'text/plain', Buffer.from('not a picture'));
    const alert = page.getByRole('alert');
    await alert.getByText(/"notes\.txt" \(text\/plain\) is not an image/).waitFor();
    const box = (await alert.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(844);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await fitsViewport(page, alert.getByRole('button'))).toBe(true);
    await alert.getByRole('button', { name: 'Dismiss message' }).click();
    expect(await alert.count()).toBe(0);
    await page.context().close();
  });

  it('picking a sample again, or uploading the same file again, reopens its conversation', async () => {
    const page = await open();
    await useSample(page, 0);
    await runTask(page, 'Count', { shape: 'star' });
    await answerDone(page);
    await useSample(page, 1);
    await useSample(page, 0);
    expect(await threads(page).count()).toBe(2);
    expect(await page.getByTestId('message-user').count()).toBe(1);
    expect(await threads(page).filter({ hasText: 'sample-1.png' }).getAttribute('aria-current')).toBe('true');

    const bytes = readFileSync(samplePath(3));
    await upload(page, 'card.png', 'image/png', bytes);
    await page.getByRole('img', { name: 'Your image: card.png' }).waitFor();
    await ask(page, 'How many circles?');
    await answerDone(page);
    await useSample(page, 1);
    await upload(page, 'card.png', 'image/png', bytes);
    await page.getByRole('img', { name: 'Your image: card.png' }).waitFor();
    expect(await threads(page).count()).toBe(3);
    expect(await page.getByTestId('message-user').count()).toBe(1);
    await page.context().close();
  });

  it('a task pressed while a new image is still being read is about the new image', async () => {
    const page = await open();
    await useSample(page, 0);
    await upload(page, 'next.png', 'image/png', readFileSync(samplePath(4)));
    await runTask(page, 'Caption');
    await answerDone(page);
    expect(await page.getByRole('img', { name: 'Your image: next.png' }).isVisible()).toBe(true);
    expect(await page.getByTestId('message-assistant').count()).toBe(1);
    await page.context().close();
  });

  it('an SVG drawing is drawn into pixels and answered about; a broken one is refused plainly', async () => {
    // The app as a visitor opens it: the shipped GVT-tiny, which knows Shapes World.
    const page = await open({ width: 1440, height: 900 }, inject('appUrl'));
    await upload(page, 'card.svg', 'image/svg+xml', Buffer.from(CARD_SVG));
    const shown = page.getByRole('img', { name: 'Your image: card.svg' });
    await shown.waitFor();
    await page.getByText(/encoded in \d+ ms/).waitFor();
    // Drawn at 1024 px on its longest side, whatever size the file claims.
    expect(await shown.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([1024, 1024]);
    await ask(page, 'Is there a red circle?');
    await answerDone(page);
    expect(await lastAnswer(page).getByTestId('identify-answer').textContent(), await answerText(page)).toBe('Yes');

    await upload(page, 'broken.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><circle'));
    await page.getByRole('alert').getByText(/"broken\.svg" \(image\/svg\+xml\) could not be drawn: it is not a valid SVG drawing\. Choose a PNG, JPEG, WebP, GIF or SVG file\./).waitFor();
    expect(await shown.isVisible()).toBe(true);
    expect(await page.getByTestId('message-user').count()).toBe(1);
    await page.context().close();
  });
});
