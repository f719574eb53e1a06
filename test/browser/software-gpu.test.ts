/**
 * A browser whose only WebGPU adapter is a software one (Chromium's
 * SwiftShader, as on a machine without a GPU driver): Automatic runs the
 * model on WASM, which answers a caption in under a second where SwiftShader
 * took 20 s, and says why; WebGPU picked in the Backend menu still runs there.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, recordConsole } from '../support/browser';
import { answerDone, lastAnswer, modelUrl, waitReady } from './app-helpers';
import { runTask, useSample } from './demo-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium({ webgpu: true });
});
afterAll(async () => {
  await browser?.close();
});

const text = async (within: Page | Locator, testId: string) => ((await within.getByTestId(testId).textContent()) ?? '').replace(/\s+/g, ' ').trim();

it('Automatic runs on WASM beside SwiftShader and says why; WebGPU picked in the menu runs on WebGPU', { timeout: 300_000 }, async () => {
  const page = await browser.newPage();
  const logs = recordConsole(page);
  await page.goto(modelUrl());
  await waitReady(page);
  expect(await page.getByLabel('Backend').inputValue()).toBe('auto');
  expect(await text(page, 'backend'), logs.join('\n')).toMatch(/^Backend: WASM, \d threads?$/);
  expect(await text(page, 'backend-why')).toBe('Automatic: the only GPU here is a software one (SwiftShader), slower than WASM');
  await page.getByLabel('Max new tokens').fill('4');
  await useSample(page, 0);
  await runTask(page, 'Caption');
  await answerDone(page);
  expect(await text(lastAnswer(page), 'stats')).toMatch(/^WASM, \d threads? · /);

  // The menu still offers the adapter, named for what it is.
  const webgpu = page.getByRole('option', { name: 'WebGPU (SwiftShader, software)' });
  expect(await webgpu.isDisabled()).toBe(false);
  await page.getByLabel('Backend').selectOption('webgpu');
  await expect.poll(() => text(page, 'backend'), { timeout: 60_000 }).toBe('Backend: WebGPU');
  await waitReady(page);
  // A pick needs no explaining.
  expect(await page.getByTestId('backend-why').count()).toBe(0);
  await page.getByText(/encoded in \d+ ms/).waitFor({ timeout: 120_000 });
  await runTask(page, 'Caption');
  await answerDone(page);
  expect(await text(lastAnswer(page), 'stats'), logs.join('\n')).toMatch(/^WebGPU · /);
});
