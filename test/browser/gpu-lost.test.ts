/**
 * A WebGPU device lost in the middle of an answer (a driver reset, a tab sent
 * to the background on a phone): the model reloads on WASM, the question is
 * asked again, a notice says what happened, and the conversation is kept.
 * Chromium's SwiftShader adapter stands in for a GPU; the device the model
 * runs on is destroyed with GPUDevice.destroy() while it answers.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, recordConsole } from '../support/browser';
import { pickedBackend } from '../support/picked-backend';
import { answerDone, answeredOnce, answerText, ask, lastAnswer, modelUrl, waitReady } from './app-helpers';

let browser: Browser;
let page: Page;
let logs: string[];

beforeAll(async () => {
  browser = await launchChromium({ webgpu: true });
  page = await browser.newPage();
  await pickedBackend(page, { kind: 'webgpu' });
  logs = recordConsole(page);
});
afterAll(async () => {
  await browser?.close();
});

it('reloads the model on WASM and answers when the GPU is lost mid-answer', { timeout: 300_000 }, async () => {
  await page.goto(modelUrl());
  await waitReady(page);
  expect(await page.getByTestId('backend').textContent(), logs.join('\n')).toContain('WebGPU');
  const worker = await answeredOnce(page);
  // The next command encoder the model asks for belongs to the device it runs on: destroy that device then.
  await worker.evaluate(() => {
    type Device = { destroy(): void; createCommandEncoder(...args: unknown[]): unknown };
    const { prototype } = (globalThis as unknown as { GPUDevice: { prototype: Device } }).GPUDevice;
    const create = prototype.createCommandEncoder;
    prototype.createCommandEncoder = function (this: Device, ...args: unknown[]) {
      prototype.createCommandEncoder = create;
      queueMicrotask(() => this.destroy());
      return create.apply(this, args);
    };
  });
  await ask(page, 'Does a red circle exist in the image?');
  await page.getByTestId('notice').or(lastAnswer(page).getByRole('alert')).waitFor({ timeout: 180_000 });
  const notice = page.getByTestId('notice');
  expect(await notice.count(), `${await lastAnswer(page).textContent()}\n${logs.join('\n')}`).toBe(1);
  expect(await notice.textContent()).toMatch(/GPU was lost while answering.*reloaded on WASM and the question asked again/);
  await answerDone(page);
  expect((await answerText(page)).length).toBeGreaterThan(0);
  expect(await lastAnswer(page).getByRole('alert').count()).toBe(0);
  expect(await page.getByTestId('backend').textContent()).toContain('WASM');
  // Nothing was lost: both questions and their answers are there.
  expect(await page.getByTestId('message-user').count()).toBe(2);
});
