/**
 * A Hub model on the WebGPU path (Chromium's SwiftShader adapter, which has
 * no shader-f16: fp32 encoders and the 4-bit decoder), against the local Hub
 * with the stand-in SmolVLM: download, an answer about a photo, and the stats
 * line naming WebGPU.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { launchChromium, recordConsole } from '../support/browser';
import { pickedBackend } from '../support/picked-backend';
import { HUB_FIXTURES } from '../support/build-hub-fixtures';
import { startHubServer, type HubServer } from '../support/hub-server';
import { answerText, ask, lastAnswer } from './app-helpers';

const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png';

let hub: HubServer;
let browser: Browser;
let page: Page;
let logs: string[];

beforeAll(async () => {
  hub = await startHubServer(HUB_FIXTURES);
  browser = await launchChromium({ webgpu: true });
  page = await (await browser.newContext()).newPage();
  await pickedBackend(page, { kind: 'webgpu' });
  logs = recordConsole(page);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

// SwiftShader is slow, and the real processing path gives it 13 tiles of 512 px to encode and 900 tokens to
// prefill for this photo: far longer than the suite's default.
it('downloads SmolVLM with the weights for an adapter without shader-f16 and answers on WebGPU', { timeout: 720_000 }, async () => {
  await page.goto(`${inject('appUrl')}?hub=${encodeURIComponent(hub.url)}`);
  await page.getByTestId('model-status').getByText(/ready/).waitFor({ timeout: 180_000 });
  await page.getByRole('radio', { name: 'SmolVLM 256M', exact: true }).click();
  const panel = page.getByTestId('hub-download');
  await panel.getByText(/files for webgpu: .* to download/).waitFor({ timeout: 60_000 });
  await panel.getByRole('button', { name: /^Download/ }).click();
  await page.getByTestId('model-status').getByText('SmolVLM 256M ready').waitFor({ timeout: 240_000 });
  const fetched = hub.log.filter((r) => r.method === 'GET' && r.path.includes('/onnx/')).map((r) => r.path.split('/onnx/')[1]);
  expect(fetched.sort()).toEqual(['decoder_model_merged_q4.onnx', 'embed_tokens.onnx', 'vision_encoder.onnx']);

  await page.getByLabel('Upload image').setInputFiles(PHOTO);
  // SwiftShader runs a decoder step in about half a second, and random weights rarely stop early: a short answer keeps the test short.
  await page.getByLabel('Max new tokens').fill('12');
  await ask(page, 'What animal is this?');
  await lastAnswer(page).locator('.stats').waitFor({ timeout: 480_000 });
  expect((await answerText(page)).length, logs.join('\n')).toBeGreaterThan(0);
  const stats = await lastAnswer(page).getByTestId('stats').textContent();
  expect(stats).toMatch(/^WebGPU · vision encode \d+ ms/);
  expect(Number(stats?.match(/(\d+) tokens$/)?.[1])).toBeLessThanOrEqual(12);
});
