/**
 * Streaming and control: the stats line after each answer (backend, vision
 * encode, time to first token, tokens/s, token count) follows a backend
 * switch; max new tokens, temperature, top-p and the backend with its
 * threads survive a reload and take effect.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { automaticWasm } from '../support/automatic-backend';
import { pickedBackend } from '../support/picked-backend';
import { answerDone, lastAnswer, modelUrl, waitReady } from './app-helpers';
import { runTask, useSample } from './demo-helpers';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

const STATS = /^(WASM, \d threads?|WebGPU) · vision encode \d+ ms · \d+ ms to first token( \(image prefix reused\))? · [\d.]+ tokens\/s · \d+ tokens( · stopped)?$/;
const stats = async (p: Page) => ((await lastAnswer(p).getByTestId('stats').textContent()) ?? '').replace(/\s+/g, ' ').trim();

describe('the stats line', () => {
  it('names the backend, vision encode, time to first token, tokens/s and tokens, and changes with the backend', async () => {
    const page = await browser.newPage();
    await page.goto(modelUrl());
    await waitReady(page);
    await useSample(page, 1);
    await runTask(page, 'Count', { color: 'yellow' });
    await answerDone(page);
    const before = await stats(page);
    expect(before).toMatch(STATS);
    const automatic = await automaticWasm(page);
    expect(before.startsWith(`${automatic} · `)).toBe(true);

    // Whichever of 1 and 2 threads Automatic did not pick.
    const other = automatic === 'WASM, 1 thread' ? 'WASM, 2 threads' : 'WASM, 1 thread';
    await page.getByLabel('Backend').selectOption({ label: other });
    await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toContain(other);
    await waitReady(page);
    await page.getByText(/encoded in \d+ ms/).waitFor();
    await runTask(page, 'Count', { color: 'yellow' });
    await answerDone(page);
    const after = await stats(page);
    expect(after).toMatch(STATS);
    expect(after.startsWith(`${other} · `)).toBe(true);
    // The first answer keeps the line of the backend that produced it.
    expect(((await page.getByTestId('stats').first().textContent()) ?? '').replace(/\s+/g, ' ')).toContain(automatic);
    await page.context().close();
  });
});

describe('the stats line on WebGPU', () => {
  it('says WebGPU, then WASM after switching', async () => {
    const gpu = await launchChromium({ webgpu: true });
    try {
      const page = await gpu.newPage();
      await pickedBackend(page, { kind: 'webgpu' });
      await page.goto(modelUrl());
      await waitReady(page);
      expect(await page.getByTestId('backend').textContent()).toContain('WebGPU');
      await useSample(page, 2);
      await page.getByLabel('Max new tokens').fill('4');
      await runTask(page, 'Count', { shape: 'triangle' });
      await answerDone(page);
      expect(await stats(page)).toMatch(STATS);
      expect((await stats(page)).startsWith('WebGPU · ')).toBe(true);
      await page.getByLabel('Backend').selectOption({ label: 'WASM, 1 thread' });
      await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toContain('WASM, 1 thread');
      await waitReady(page);
      await runTask(page, 'Count', { shape: 'triangle' });
      await answerDone(page);
      expect((await stats(page)).startsWith('WASM, 1 thread · ')).toBe(true);
    } finally {
      await gpu.close();
    }
  });
});

describe('settings', () => {
  it('max new tokens, temperature, top-p and the backend survive a reload and apply', async () => {
    const page = await browser.newPage();
    await page.goto(modelUrl());
    await waitReady(page);
    const automatic = await automaticWasm(page);
    const [other, otherValue] = automatic === 'WASM, 1 thread' ? ['WASM, 2 threads', 'wasm-2'] : ['WASM, 1 thread', 'wasm-1'];
    await page.getByLabel('Max new tokens').fill('3');
    await page.getByLabel('Temperature').fill('0.7');
    await page.getByLabel('Top-p').fill('0.9');
    await page.getByLabel('Backend').selectOption({ label: other });
    await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toContain(other);

    await page.reload();
    await waitReady(page);
    expect(await page.getByLabel('Max new tokens').inputValue()).toBe('3');
    expect(await page.getByLabel('Temperature').inputValue()).toBe('0.7');
    expect(await page.getByLabel('Top-p').inputValue()).toBe('0.9');
    expect(await page.getByTestId('backend').textContent()).toContain(other);
    expect(await page.getByLabel('Backend').inputValue()).toBe(otherValue);

    await useSample(page, 0);
    await runTask(page, 'Caption');
    await answerDone(page);
    const line = await stats(page);
    expect(line.startsWith(`${other} · `)).toBe(true);
    expect(Number(/ (\d+) tokens/.exec(line)![1])).toBeLessThanOrEqual(3);

    // Back to the defaults: Automatic's choice again, after a reload too.
    await page.getByLabel('Backend').selectOption({ label: 'Automatic' });
    await expect.poll(() => page.getByTestId('backend').textContent(), { timeout: 60_000 }).toContain(automatic);
    await page.reload();
    await waitReady(page);
    expect(await page.getByTestId('backend').textContent()).toContain(automatic);
    await page.context().close();
  });

  it('ignores settings it cannot read', async () => {
    const page = await browser.newPage();
    await page.addInitScript(() => localStorage.setItem('gvt-web:settings', '{"maxNewTokens": "lots", "temperature": -4, "topP": 7, "backend": {"kind": "tpu"}}'));
    await page.goto(modelUrl());
    await waitReady(page);
    expect(await page.getByLabel('Max new tokens').inputValue()).toBe('160'); // the model's own default
    expect(await page.getByLabel('Temperature').inputValue()).toBe('0');
    expect(await page.getByLabel('Top-p').inputValue()).toBe('1');
    expect(await page.getByLabel('Backend').inputValue()).toBe('auto');
    await page.context().close();
  });
});
