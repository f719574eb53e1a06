/**
 * Image input beyond upload and drop: the sample gallery, the Paste button
 * (the async clipboard API), Ctrl+V on the page (a paste event), and the
 * camera — Chromium's fake device, a denied permission, and no camera at all.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { answerDone, answerText, modelUrl, waitReady } from './app-helpers';
import { SAMPLES, runTask, samplePath, useSample } from './demo-helpers';

const alert = (p: Page) => p.getByRole('alert').first();
const pngBase64 = (i: number) => readFileSync(samplePath(i)).toString('base64');

describe('without a camera permission', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium({ webgpu: false });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await page?.context().close();
  });

  it('the gallery shows the whole 256 px sample scenes in square tiles and one click uses one', async () => {
    page = await browser.newPage();
    await page.goto(modelUrl());
    await waitReady(page);
    const buttons = page.getByRole('button', { name: /^Use sample \d:/ });
    expect(await buttons.count()).toBe(SAMPLES.length);
    expect(await buttons.nth(2).getAttribute('aria-label')).toBe(`Use sample 3: ${SAMPLES[2].caption}`);
    for (const img of await buttons.locator('img').all()) {
      expect(await img.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight])).toEqual([256, 256]);
      const box = (await img.boundingBox())!;
      expect(Math.abs(box.width - box.height)).toBeLessThanOrEqual(1);
      expect(box.width).toBeGreaterThanOrEqual(120);
    }
    await useSample(page, 2);
    await runTask(page, 'Caption');
    await answerDone(page);
    expect((await answerText(page)).length).toBeGreaterThan(0);
  });

  it('the Paste button reads an image from the clipboard', async () => {
    page = await browser.newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(modelUrl()).origin });
    await page.goto(modelUrl());
    await waitReady(page);
    // Put sample 4 on the clipboard, as copying an image in another app would.
    await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': new Blob([bytes], { type: 'image/png' }) })]);
    }, pngBase64(3));
    await page.getByRole('button', { name: 'Paste', exact: true }).click();
    await page.getByRole('img', { name: /pasted-image\.png/ }).waitFor();
    await page.getByText(/encoded in \d+ ms/).waitFor();
    const size = await page.getByRole('img', { name: /pasted-image\.png/ }).evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(size).toEqual([256, 256]);
  });

  it('the Paste button explains when the clipboard holds no image', async () => {
    page = await browser.newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(modelUrl()).origin });
    await page.goto(modelUrl());
    await waitReady(page);
    await page.evaluate(() => navigator.clipboard.writeText('just text'));
    await page.getByRole('button', { name: 'Paste', exact: true }).click();
    await expect.poll(() => alert(page).textContent()).toMatch(/clipboard holds no image/);
  });

  it('the Paste button, when the browser refuses the clipboard, points to Ctrl+V', async () => {
    page = await browser.newPage();
    await page.goto(modelUrl());
    await waitReady(page);
    await page.getByRole('button', { name: 'Paste', exact: true }).click();
    await expect.poll(() => alert(page).textContent(), { timeout: 20_000 }).toMatch(/Press Ctrl\+V/);
  });

  it('Ctrl+V anywhere on the page pastes an image (a paste event)', async () => {
    page = await browser.newPage();
    await page.goto(modelUrl());
    await waitReady(page);
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    }, pngBase64(1));
    await page.getByRole('img', { name: /pasted-image\.png/ }).waitFor();
    await page.getByText(/encoded in \d+ ms/).waitFor();
  });

  it('the camera, when permission is denied, says so and keeps the page usable', async () => {
    page = await browser.newPage();
    await page.goto(modelUrl());
    await waitReady(page);
    await page.context().clearPermissions(); // headless Chromium then dismisses the prompt: a denial
    await page.getByRole('button', { name: 'Camera', exact: true }).click();
    await expect.poll(() => alert(page).textContent(), { timeout: 20_000 }).toMatch(/Camera permission was denied|No camera was found/);
    expect(await page.getByLabel('Upload image').isVisible()).toBe(true);
    expect(await page.locator('video').count(), 'the camera view closed').toBe(0);
  });

  it('the camera, when the device has none, says so', async () => {
    page = await browser.newPage();
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    });
    await page.goto(modelUrl());
    await waitReady(page);
    await page.getByRole('button', { name: 'Camera', exact: true }).click();
    await expect.poll(() => alert(page).textContent()).toMatch(/No camera was found on this device/);
  });

  it('the camera, when denied by the user, says how to allow it', async () => {
    page = await browser.newPage();
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await page.goto(modelUrl());
    await waitReady(page);
    await page.getByRole('button', { name: 'Camera', exact: true }).click();
    await expect.poll(() => alert(page).textContent()).toMatch(/Camera permission was denied\. Allow the camera/);
  });
});

describe("with Chromium's fake camera", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium({ webgpu: false, extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('Camera shows a live preview framed by a square, Take photo keeps that square, encoded and answered', async () => {
    const page = await browser.newPage();
    await page.context().grantPermissions(['camera'], { origin: new URL(modelUrl()).origin });
    await page.goto(modelUrl());
    await waitReady(page);
    await page.getByRole('button', { name: 'Camera', exact: true }).click();
    const take = page.getByRole('button', { name: 'Take photo' });
    await expect.poll(() => take.isEnabled(), { timeout: 20_000 }).toBe(true);
    // GVT-tiny learnt cards filling a square picture: the guide is the square the photo keeps.
    const guide = await page.getByTestId('camera-guide').boundingBox();
    const view = await page.getByLabel('Camera preview').boundingBox();
    expect(guide!.width).toBeCloseTo(guide!.height, 0);
    expect(guide!.height).toBeCloseTo(Math.min(view!.width, view!.height), 0);
    await take.click();
    const photo = page.getByRole('img', { name: /Your image: camera-\d+\.png/ });
    await photo.waitFor();
    await page.getByText(/encoded in \d+ ms/).waitFor();
    const [w, h] = await photo.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(w).toBeGreaterThan(0);
    expect(h).toBe(w);
    await runTask(page, 'Count', {});
    await answerDone(page);
    // The camera is released once the photo is taken.
    expect(await page.locator('video').count()).toBe(0);
  });
});
