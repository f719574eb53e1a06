/**
 * Hub models as a visitor uses them, against a local server that speaks the
 * Hub's URL layout (`?hub=` points the app at it) and serves the stand-in
 * repos built by tools/hub_fixtures: pick SmolVLM, see its size, watch it
 * download through a dropped connection, ask about a real photo, reload with
 * the server stopped and the network off and still get answers; Florence-2 counts by drawing
 * boxes; a damaged file is refused and a retry resumes; LFM2.5-VL, its licence shown, downloads with its
 * external-data files, answers, and answers again offline after a reload.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CATALOGUE, downloadEstimate, findHubModel, modelFiles } from '../../src/hub/catalogue';
import { formatBytes } from '../../src/format';
import { launchChromium, recordConsole } from '../support/browser';
import { HUB_FIXTURES, type HubFixtures } from '../support/build-hub-fixtures';
import { startHubServer, type HubServer } from '../support/hub-server';
import { answerDone, answerText, ask, lastAnswer } from './app-helpers';

const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png';
const SMOLVLM = findHubModel('HuggingFaceTB/SmolVLM-256M-Instruct')!;
const fixtures: HubFixtures = JSON.parse(readFileSync(join(HUB_FIXTURES, 'fixtures.json'), 'utf8'));

/** What the catalogue downloads for a model on WASM, in bytes, from the published sizes. */
function wasmBytes(id: string): number {
  const files = fixtures.repos[id].files;
  return modelFiles(findHubModel(id)!, 'wasm').reduce((sum, path) => sum + (files.find((f) => f.path === path)?.size ?? 0), 0);
}

let hub: HubServer;
let browser: Browser;
let page: Page;
let logs: string[];
let appUrl: string;

const status = () => page.getByTestId('model-status');
const radio = (name: string) => page.getByRole('radio', { name, exact: true });
const pick = (name: string) => radio(name).check();
const choice = (name: string) => page.locator('label.model-choice').filter({ has: radio(name) });

async function uploadPhoto(): Promise<void> {
  await page.getByLabel('Upload image').setInputFiles(PHOTO);
  await page.getByRole('img', { name: /chelsea\.png/ }).waitFor();
}

/** With the Hub server stopped and the network off: a reload reopens `name` from the cache, and it captions the photo. */
async function captionOffline(name: string): Promise<void> {
  await hub.stop();
  await page.context().setOffline(true);
  try {
    await page.reload();
    await status()
      .getByText(`${name} ready`)
      .waitFor({ timeout: 120_000 })
      .catch(async (e) => {
        throw new Error(`${e}\n${await page.locator('body').innerText()}\n${logs.join('\n')}`);
      });
    expect(await page.getByTestId('hub-download').textContent()).toMatch(/all stored on this device/);
    const repo = CATALOGUE.find((m) => m.name === name)!.id.split('/')[1];
    // Each stored file by its model and path, not by the revision it was pinned to.
    expect(await page.getByTestId('cache-files').textContent()).toContain(`${repo}/config.json`);
    await uploadPhoto();
    await page.getByRole('button', { name: 'Caption' }).click();
    await answerDone(page);
    expect((await answerText(page)).length).toBeGreaterThan(0);
  } finally {
    await page.context().setOffline(false);
    await hub.start();
  }
}

beforeAll(async () => {
  hub = await startHubServer(HUB_FIXTURES);
  appUrl = `${inject('appUrl')}?hub=${encodeURIComponent(hub.url)}`;
  // Hub models run on WASM here: SwiftShader's WebGPU has no shader-f16 and is slow; the WebGPU path is the same code.
  browser = await launchChromium({ webgpu: false });
  page = await (await browser.newContext()).newPage();
  logs = recordConsole(page);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('a Hub model from a local Hub', () => {
  it('shows SmolVLM’s size before it starts, downloads through a dropped connection and answers about a photo', async () => {
    await page.goto(appUrl);
    await status().getByText(/ready/).waitFor({ timeout: 120_000 });
    hub.throttle({ chunkBytes: 32 * 1024, delayMs: 20 });
    const decoder = fixtures.repos[SMOLVLM.id].files.find((f) => f.path === 'onnx/decoder_model_merged_q4.onnx')!;
    const half = Math.floor(decoder.size / 2);
    hub.dropAfter(half, { file: decoder.path });

    await pick('SmolVLM 256M');
    const panel = page.getByTestId('hub-download');
    await panel.getByText(/files for wasm: .* to download/).waitFor();
    expect(await panel.textContent()).toContain(`${formatBytes(wasmBytes(SMOLVLM.id))} to download`);

    await panel.getByRole('button', { name: /^Download/ }).click();
    await page.getByText(/Loading .*… .* \/ .* \(\d+%\)/).waitFor({ timeout: 30_000 });
    await status().getByText('SmolVLM 256M ready').waitFor({ timeout: 180_000 });
    hub.throttle(null);
    const resumed = hub.log.filter((r) => r.path.endsWith('decoder_model_merged_q4.onnx') && r.method === 'GET');
    expect(resumed.map((r) => r.range)).toEqual([null, `bytes=${half}-`]);

    await uploadPhoto();
    await ask(page, 'What animal is this?');
    await answerDone(page);
    expect((await answerText(page)).length, logs.join('\n')).toBeGreaterThan(0);
    const first = (await lastAnswer(page).getByTestId('stats').textContent())!;
    expect(first).toMatch(/WASM, \d threads? · vision encode \d+ ms · \d+ ms to first token · /);

    // A follow-up continues from the cache of the prompt up to the photo's last image token: its first token comes sooner.
    await ask(page, 'What colour is it?');
    await answerDone(page);
    const followUp = (await lastAnswer(page).getByTestId('stats').textContent())!;
    expect(followUp).toMatch(/\d+ ms to first token \(image prefix reused\)/);
    const firstToken = (stats: string) => Number(/(\d+) ms to first token/.exec(stats)![1]);
    expect(firstToken(followUp)).toBeLessThan(firstToken(first));
  });

  it('reloads with the Hub server stopped and the network off, and still answers from the cache', async () => {
    await page.getByTestId('offline-status').getByText('Works offline').waitFor({ timeout: 120_000 });
    await captionOffline('SmolVLM 256M');
  });

  it('counts with Florence-2 by drawing the boxes it found, and says why it cannot answer free questions', async () => {
    await pick('Florence-2 base');
    await page.getByTestId('hub-download').getByRole('button', { name: /^Download/ }).click();
    await status().getByText('Florence-2 base ready').waitFor({ timeout: 180_000 });
    await uploadPhoto();
    await page.getByRole('textbox', { name: 'Object' }).fill('cats');
    await page.getByRole('button', { name: 'Count' }).click();
    await answerDone(page);
    // The stand-in decoder always detects one cat and one dog.
    expect(await lastAnswer(page).getByTestId('count-number').textContent()).toBe('1');
    expect(await page.getByTestId('boxes').locator('rect').count()).toBe(1);
    expect(await page.getByTestId('boxes').textContent()).toContain('cat');
    expect(await page.getByTestId('task-unsupported').textContent()).toMatch(/does not answer free questions/);
    expect(await page.getByLabel('Question').getAttribute('placeholder')).toMatch(/does not answer free questions/);
  });

  it('refuses a damaged file with a clear message, keeps the conversation, and resumes on retry', async () => {
    const before = await page.getByTestId('message-assistant').count();
    hub.reset();
    hub.corrupt('onnx/embed_tokens_q4.onnx');
    await pick('SmolVLM 500M');
    await page.getByTestId('hub-download').getByRole('button', { name: /^Download/ }).click();
    const alert = page.getByRole('alert');
    // A pinned revision is named as the Hub's pages name commits, by its first 7 hex digits.
    const pin = findHubModel('HuggingFaceTB/SmolVLM-500M-Instruct')!.revision.slice(0, 7);
    await alert.getByText(new RegExp(`embed_tokens_q4\\.onnx \\(revision ${pin}\\) is damaged.*Florence-2 base is still loaded`)).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('message-assistant').count()).toBe(before);
    // The model that answered before is still the one chosen, and still answers.
    expect(await radio('Florence-2 base').isChecked()).toBe(true);
    expect(await status().textContent()).toContain('Florence-2 base ready');

    hub.reset();
    await alert.getByRole('button', { name: 'Try SmolVLM 500M again' }).click();
    await status().getByText('SmolVLM 500M ready').waitFor({ timeout: 180_000 });
    // Files verified before the damaged one are not fetched again.
    const configGets = hub.log.filter((r) => r.method === 'GET' && r.path.endsWith(`SmolVLM-500M-Instruct/resolve/${findHubModel('HuggingFaceTB/SmolVLM-500M-Instruct')!.revision}/config.json`));
    expect(configGets).toHaveLength(0);
  });

  it('deletes a model from the device', async () => {
    await page.getByRole('button', { name: 'Delete SmolVLM 500M from this device' }).click();
    await status().getByText(/GVT-tiny.*ready/).waitFor({ timeout: 120_000 });
    // Deleted, it is offered again with what its files weigh before any download.
    await choice('SmolVLM 500M').getByText(downloadEstimate(findHubModel('HuggingFaceTB/SmolVLM-500M-Instruct')!, 'wasm')).waitFor();
    // Three of LFM2.5-VL's small files have no published size: the picker says so rather than making up a total.
    expect(await choice('LFM2.5-VL 450M').textContent()).toMatch(/of its files have no published size/);
    expect(await choice('SmolVLM 256M').textContent()).toMatch(/stored on this device/);
  });

  it('cancels a download and resumes it on retry', async () => {
    hub.reset();
    // 40 KB/s: the 106 KB vision encoder takes seconds, so the cancel below lands midway through it.
    hub.throttle({ chunkBytes: 4 * 1024, delayMs: 100 });
    await pick('SmolVLM 500M');
    const panel = page.getByTestId('hub-download');
    await panel.getByRole('button', { name: /^Download/ }).click();
    // Its row shows before the first byte arrives: wait for bytes, then cancel.
    const vision = page.locator('progress[aria-label="Download of onnx/vision_encoder_q4.onnx"]');
    await expect.poll(async () => Number(await vision.getAttribute('value').catch(() => 0)), { timeout: 60_000 }).toBeGreaterThan(0);
    await panel.getByRole('button', { name: 'Cancel download' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText(/cancelled.*GVT-tiny is still loaded/).waitFor({ timeout: 30_000 });
    hub.throttle(null);
    await alert.getByRole('button', { name: 'Try SmolVLM 500M again' }).click();
    await status().getByText('SmolVLM 500M ready').waitFor({ timeout: 180_000 });
    expect(hub.log.some((r) => r.method === 'GET' && r.range?.startsWith('bytes=') && !r.range.startsWith('bytes=0-'))).toBe(true);
  });

  // Two page loads, a download and two answers: over the suite's 180 s on a loaded 2-core machine.
  it('shows LFM2.5-VL’s licence, downloads it with its .onnx_data files, answers, and answers offline after a reload', { timeout: 420_000 }, async () => {
    hub.reset();
    // A visitor of its own (a new browser context: nothing stored, nothing remembered), so what the tests above
    // left behind cannot hold up its page load on a loaded machine.
    page = await (await browser.newContext()).newPage();
    logs = recordConsole(page);
    await page.goto(appUrl, { timeout: 120_000 });
    await status().getByText(/GVT-tiny.*ready/).waitFor({ timeout: 120_000 });
    const lfm = choice('LFM2.5-VL 450M');
    const licence = lfm.getByRole('link', { name: 'LFM Open License v1.0' });
    expect(await licence.getAttribute('href')).toBe('https://huggingface.co/LiquidAI/LFM2.5-VL-450M/blob/main/LICENSE');
    await pick('LFM2.5-VL 450M');
    const panel = page.getByTestId('hub-download');
    await panel
      .getByText(/files for wasm: .* to download/)
      .waitFor()
      .catch(async (e) => {
        throw new Error(`${e}\n${await page.locator('body').innerText()}\n${logs.join('\n')}`);
      });
    expect(await panel.textContent()).toContain(`${formatBytes(wasmBytes('LiquidAI/LFM2.5-VL-450M-ONNX'))} to download`);
    await panel.getByRole('button', { name: /^Download/ }).click();
    await status().getByText('LFM2.5-VL 450M ready').waitFor({ timeout: 180_000 });
    const fetched = hub.log.filter((r) => r.method === 'GET').map((r) => r.path.split('/resolve/main/')[1]);
    expect(fetched).toEqual(expect.arrayContaining(['onnx/vision_encoder_q4.onnx_data', 'onnx/embed_tokens_fp16.onnx_data', 'onnx/decoder_model_merged_q4.onnx_data']));

    await uploadPhoto();
    await ask(page, 'How many cats are there?');
    await answerDone(page);
    expect((await answerText(page)).length, logs.join('\n')).toBeGreaterThan(0);

    await page.getByTestId('offline-status').getByText('Works offline').waitFor({ timeout: 120_000 });
    await captionOffline('LFM2.5-VL 450M');
  });
});
