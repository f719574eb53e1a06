/**
 * How images get in (drag and drop), and what a user sees when something goes
 * wrong: a broken model package, a file that is not an image, a worker that
 * crashes. Nothing they had is lost.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { automaticWasm } from '../support/automatic-backend';
import { launchChromium } from '../support/browser';
import { TEST_PACKAGE } from '../support/paths';
import { answerDone, answeredOnce, answerText, ask, lastAnswer, modelUrl, uploadReference, waitReady } from './app-helpers';

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  await page?.close();
  page = await browser.newPage();
});

const alert = (p: Page) => p.getByRole('alert').first();

describe('a broken model package', () => {
  it('names the manifest field that is wrong', async () => {
    await page.goto(modelUrl('broken-manifest'));
    await expect.poll(() => alert(page).textContent(), { timeout: 30_000 }).toMatch(/field "image\.size" is missing/);
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
  });

  it('refuses a damaged file and says to reload', async () => {
    await page.goto(modelUrl('damaged-file'));
    await expect.poll(() => alert(page).textContent(), { timeout: 30_000 }).toMatch(/decoder_model_merged\.onnx is damaged.*Reload/);
  });
});

describe('bad input keeps the image and the conversation', () => {
  beforeEach(async () => {
    await page.goto(modelUrl());
    await waitReady(page);
    await uploadReference(page);
    await ask(page, 'Does a red circle exist in the image?');
    await answerDone(page);
  });

  const kept = async () => {
    expect(await page.getByRole('img', { name: /reference\.png/ }).isVisible()).toBe(true);
    expect(await page.getByTestId('message-user').count()).toBe(1);
  };

  it('a file that is not an image', async () => {
    await page.getByLabel('Upload image').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect.poll(() => alert(page).textContent()).toMatch(/"notes\.txt" \(text\/plain\) is not an image\. Choose a PNG, JPEG/);
    await kept();
  });

  it('a damaged PNG', async () => {
    const broken = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
    await page.getByLabel('Upload image').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: broken });
    await expect.poll(() => alert(page).textContent()).toMatch(/"photo\.png" \(image\/png\) could not be read as an image/);
    await kept();
  });
});

describe('a crashed worker', () => {
  it('is restarted with the model reloaded, the question asked again, and a notice says so', async () => {
    await page.goto(modelUrl());
    await waitReady(page);
    const worker = await answeredOnce(page);
    // The next answer runs into an uncaught exception in the worker before its result is sent, as a bug in the runtime would.
    await worker.evaluate(() => {
      const post = self.postMessage.bind(self);
      self.postMessage = ((message: { type: string }, transfer?: Transferable[]) => {
        if (message.type !== 'result') return post(message, transfer ?? []);
        setTimeout(() => {
          throw new Error('simulated crash');
        });
      }) as typeof self.postMessage;
    });
    await ask(page, 'Does a red circle exist in the image?');
    await page.getByTestId('notice').getByText(/stopped while answering.*simulated crash.*reloaded and the question asked again/).waitFor({ timeout: 60_000 });
    await answerDone(page);
    expect((await answerText(page)).length).toBeGreaterThan(0);
    expect(await lastAnswer(page).getByRole('alert').count()).toBe(0);
    expect(await page.getByTestId('message-user').count()).toBe(2);
    // The image came along again to the fresh worker; the next follow-up works as before.
    await ask(page, 'How many circles are there in the image?');
    await answerDone(page);
    expect(await page.getByTestId('message-user').count()).toBe(3);
  });
});

describe('drag and drop', () => {
  it('takes an image dropped on the image panel', async () => {
    await page.goto(modelUrl());
    await waitReady(page);
    const png = readFileSync(join(TEST_PACKAGE, 'reference.png')).toString('base64');
    const dataTransfer = await page.evaluateHandle(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
      return transfer;
    }, png);
    await page.getByTestId('drop-zone').dispatchEvent('dragover', { dataTransfer });
    await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer });
    await page.getByRole('img', { name: /dropped\.png/ }).waitFor();
    await page.getByText(/encoded in \d+ ms/).waitFor();
    await ask(page, 'How many stars are there in the image?');
    await answerDone(page);
    expect((await answerText(page)).length).toBeGreaterThan(0);
  });
});

describe('the backend override', () => {
  it('switches WASM threads and still answers', async () => {
    await page.goto(modelUrl());
    await waitReady(page);
    const automatic = await automaticWasm(page);
    expect(await page.getByTestId('backend').textContent()).toContain(automatic);
    await uploadReference(page);
    const other = automatic === 'WASM, 1 thread' ? 'WASM, 2 threads' : 'WASM, 1 thread';
    await page.getByLabel('Backend').selectOption({ label: other });
    await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toContain(other);
    await waitReady(page);
    await ask(page, 'How many stars are there in the image?');
    await answerDone(page);
    expect((await answerText(page)).length).toBeGreaterThan(0);
    // WebGPU is offered only where the browser has an adapter: this one was started without.
    expect(await page.getByRole('option', { name: /WebGPU \(no adapter\)/ }).isDisabled()).toBe(true);
  });
});
