/**
 * Booth mode: no Hub, no internet. A build whose models/ folder holds a
 * model `npm run models:pull` fetched serves it from its own origin; a model
 * folder opened from disk goes into the download store and runs offline.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main as pull } from '../../scripts/models-pull';
import { findHubModel } from '../../src/hub/catalogue';
import { launchChromium, recordConsole } from '../support/browser';
import { HUB_FIXTURES } from '../support/build-hub-fixtures';
import { startHubServer } from '../support/hub-server';
import { answerDone, answerText, ask, lastAnswer } from './app-helpers';

const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png';
/** The folder serve-app.ts builds the app into and vite preview serves. */
const BUILD = inject('appBuild');
const PULLED = join(BUILD, 'models', 'HuggingFaceTB');
const FLORENCE = join(HUB_FIXTURES, 'onnx-community', 'Florence-2-base-ft');

let browser: Browser;
let context: BrowserContext;
let page: Page;
let logs: string[];
let requests: string[];
let scratch: string;

const status = () => page.getByTestId('model-status');
const radio = (name: string) => page.getByRole('radio', { name, exact: true });

async function freshPage(): Promise<void> {
  await context?.close();
  context = await browser.newContext();
  page = await context.newPage();
  logs = recordConsole(page);
  requests = [];
  context.on('request', (r) => requests.push(r.url()));
}

async function uploadPhoto(): Promise<void> {
  await page.getByLabel('Upload image').setInputFiles(PHOTO);
  await page.getByRole('img', { name: /chelsea\.png/ }).waitFor();
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'booth-'));
  // Pulled once from a stand-in Hub that is gone before the app opens.
  const hub = await startHubServer(HUB_FIXTURES);
  try {
    const out: string[] = [];
    const code = await pull(['HuggingFaceTB/SmolVLM-256M-Instruct', '--endpoint', hub.url, '--out', join(BUILD, 'models'), '--device', 'wasm'], {
      log: (l) => out.push(l),
      error: (l) => out.push(l),
    });
    expect(code, out.join('\n')).toBe(0);
  } finally {
    await hub.stop();
  }
  browser = await launchChromium({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
  rmSync(PULLED, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('booth mode', () => {
  it('serves a pulled model from the app’s own origin and answers about a photo', async () => {
    await freshPage();
    const appUrl = inject('appUrl');
    await page.goto(appUrl);
    await status().getByText(/ready/).waitFor({ timeout: 120_000 });
    // click, not check: the radio turns on once the app has found where the files are (a HEAD to its own origin).
    await radio('SmolVLM 256M').click();
    const panel = page.getByTestId('hub-download');
    await panel.getByText(/files for wasm: .* to download/).waitFor();
    expect(await panel.textContent()).toContain(`from ${new URL(appUrl).host}`);

    await panel.getByRole('button', { name: /^Download/ }).click();
    await status().getByText('SmolVLM 256M ready').waitFor({ timeout: 180_000 });
    await uploadPhoto();
    await ask(page, 'What animal is this?');
    await answerDone(page);
    expect((await answerText(page)).length, logs.join('\n')).toBeGreaterThan(0);
    const origin = new URL(appUrl).origin;
    // Every file from the app's own origin, at the commit the catalogue pins.
    const pinned = `/resolve/${findHubModel('HuggingFaceTB/SmolVLM-256M-Instruct')!.revision}/`;
    const fetched = requests.filter((u) => u.includes(pinned));
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every((u) => u.startsWith(`${origin}/models/HuggingFaceTB/SmolVLM-256M-Instruct${pinned}`))).toBe(true);
    expect(requests.filter((u) => u.includes('huggingface.co'))).toEqual([]);
  });

  it('opens a Florence-2 folder from disk and counts offline', async () => {
    await freshPage();
    await page.goto(inject('appUrl'));
    await status().getByText(/ready/).waitFor({ timeout: 120_000 });
    // What a booth waits for before it unplugs: the app's files (the Hub worker and its runtime among them) are stored.
    await page.getByTestId('offline-status').getByText('Works offline').waitFor({ timeout: 120_000 });
    await context.setOffline(true);
    await page.getByLabel('Open model folder').setInputFiles(FLORENCE);
    await status().getByText('Florence-2 base ready').waitFor({ timeout: 180_000 });
    expect(await radio('Florence-2 base').isChecked()).toBe(true);
    expect(await page.getByTestId('hub-download').textContent()).toMatch(/all stored on this device/);

    await uploadPhoto();
    await page.getByRole('textbox', { name: 'Object' }).fill('cats');
    await page.getByRole('button', { name: 'Count' }).click();
    await answerDone(page);
    // The stand-in decoder always detects one cat and one dog.
    expect(await lastAnswer(page).getByTestId('count-number').textContent(), logs.join('\n')).toBe('1');
    expect(await page.getByTestId('boxes').locator('rect').count()).toBe(1);
    expect(requests.filter((u) => u.includes('huggingface.co'))).toEqual([]);
    await context.setOffline(false);
  });

  it('says what is wrong with a folder that holds no catalogue model, or lacks a file', async () => {
    await freshPage();
    await page.goto(inject('appUrl'));
    await status().getByText(/ready/).waitFor({ timeout: 120_000 });
    await page.getByLabel('Open model folder').setInputFiles(join(FLORENCE, 'onnx'));
    await page.getByRole('alert').getByText(/holds no model from the catalogue/).waitFor();

    const partial = join(scratch, 'Florence-2-base-ft');
    cpSync(FLORENCE, partial, { recursive: true });
    for (const suffix of ['', '_fp16', '_q4']) rmSync(join(partial, 'onnx', `encoder_model${suffix}.onnx`));
    await page.getByLabel('Open model folder').setInputFiles(partial);
    const alert = page.getByRole('alert');
    await alert.getByText(/holds Florence-2 base but lacks onnx\/encoder_model_q4\.onnx/).waitFor();
    expect(JSON.parse(readFileSync(join(partial, 'config.json'), 'utf8')).model_type).toBe('florence2');
  });
});
