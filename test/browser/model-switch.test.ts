/**
 * Changing models as a newcomer does: the model that answers keeps answering
 * while another downloads, a choice that cannot load returns to it and says
 * so, and a remembered model that cannot load on the next visit gives way to
 * GVT-tiny with a notice instead of an app with no model.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, recordConsole } from '../support/browser';
import { HUB_FIXTURES } from '../support/build-hub-fixtures';
import { startHubServer, type HubServer } from '../support/hub-server';
import { answerDone, fitsViewport, lastAnswer, waitReady } from './app-helpers';
import { runTask, useSample } from './demo-helpers';

const SMOLVLM = 'HuggingFaceTB/SmolVLM-256M-Instruct';
/** A Hub that refuses every connection: the network is down. */
const NO_HUB = 'http://127.0.0.1:9';

let hub: HubServer;
let browser: Browser;

const appUrl = (endpoint: string) => `${inject('appUrl')}?hub=${encodeURIComponent(endpoint)}`;
const status = (page: Page) => page.getByTestId('model-status');
const radio = (page: Page, name: string) => page.getByRole('radio', { name, exact: true });

async function newPage(remembered?: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; logs: string[] }> {
  const page = await (await browser.newContext({ viewport })).newPage();
  if (remembered) await page.addInitScript((id) => localStorage.setItem('gvt-web:model', id), remembered);
  return { page, logs: recordConsole(page) };
}

beforeAll(async () => {
  hub = await startHubServer(HUB_FIXTURES);
  browser = await launchChromium({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('switching models', () => {
  it('a photo model that cannot be reached: GVT-tiny stays loaded and answers, and the message says so (on a phone)', async () => {
    const { page, logs } = await newPage(undefined, { width: 390, height: 844 });
    await page.goto(appUrl(NO_HUB));
    await waitReady(page);
    const backend = await page.getByTestId('backend').textContent();
    await useSample(page, 0);

    await radio(page, 'SmolVLM 256M').click();
    const alert = page.getByRole('alert');
    await alert.getByText(/SmolVLM 256M could not be loaded: .*GVT-tiny is still loaded\./).waitFor({ timeout: 30_000 });
    expect(await radio(page, 'GVT-tiny').isChecked(), logs.join('\n')).toBe(true);
    expect(await fitsViewport(page, alert.getByRole('button'))).toBe(true);
    expect(await page.getByText('checking the download size').count()).toBe(0);
    expect(await page.getByTestId('hub-download').count()).toBe(0);
    expect(await status(page).textContent()).toContain('GVT-tiny ready');
    expect(await page.getByTestId('backend').textContent()).toBe(backend);

    await runTask(page, 'Count', { shape: 'star' });
    await answerDone(page);
    expect(await lastAnswer(page).getByTestId('count-number').isVisible()).toBe(true);
    // The failed choice is not remembered: the next visit opens GVT-tiny.
    expect(await page.evaluate(() => localStorage.getItem('gvt-web:model'))).toBeNull();
    await page.context().close();
  });

  it('GVT-tiny answers while a photo model downloads; the new one takes over once ready', async () => {
    const { page } = await newPage();
    await page.goto(appUrl(hub.url));
    await waitReady(page);
    await useSample(page, 1);
    hub.reset();
    hub.throttle({ chunkBytes: 16 * 1024, delayMs: 50 });

    await radio(page, 'SmolVLM 256M').check();
    await page.getByTestId('hub-download').getByRole('button', { name: /^Download/ }).click();
    await status(page).getByText(/Loading SmolVLM 256M… /).waitFor({ timeout: 30_000 });
    await runTask(page, 'Count', { shape: 'circle' });
    await answerDone(page);
    expect(await lastAnswer(page).getByTestId('stats').textContent()).toMatch(/^WASM/);
    // Still downloading when the answer came: it was GVT-tiny's.
    expect(await status(page).textContent()).toMatch(/GVT-tiny ready.*Loading SmolVLM 256M/);

    hub.throttle(null);
    await status(page).getByText('SmolVLM 256M ready').waitFor({ timeout: 180_000 });
    expect(await status(page).textContent()).not.toContain('GVT-tiny');
    expect(await page.evaluate(() => localStorage.getItem('gvt-web:model'))).toBe(SMOLVLM);
    await page.context().close();
  });

  it('a remembered photo model that cannot be reached: the next visit opens GVT-tiny with a notice', async () => {
    const { page, logs } = await newPage(SMOLVLM);
    await page.goto(appUrl(NO_HUB));
    const notice = page.getByTestId('notice');
    await notice.getByText(/SmolVLM 256M could not be loaded: .*GVT-tiny is loaded instead\./).waitFor({ timeout: 60_000 });
    expect(await status(page).textContent(), logs.join('\n')).toContain('GVT-tiny ready');
    expect(await radio(page, 'GVT-tiny').isChecked()).toBe(true);
    expect(await notice.getByRole('button', { name: 'Try SmolVLM 256M again' }).isVisible()).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
    await useSample(page, 2);
    await runTask(page, 'Caption');
    await answerDone(page);
    await page.context().close();
  });

  it('a remembered photo model no longer stored: GVT-tiny opens, and the notice says how to get it back', async () => {
    const { page } = await newPage('HuggingFaceTB/SmolVLM-500M-Instruct');
    await page.goto(appUrl(hub.url));
    await page.getByTestId('notice').getByText(/SmolVLM 500M is no longer stored on this device.*Pick SmolVLM 500M to download it again/).waitFor({ timeout: 60_000 });
    await waitReady(page);
    expect(await status(page).textContent()).toContain('GVT-tiny ready');
    await page.context().close();
  });
});
