/**
 * The built app in Debian's headless Chromium, on the random-weight test
 * package: load, upload, a streamed answer, Stop midway, a follow-up —
 * once on WASM and once on WebGPU (SwiftShader's adapter, picked in the
 * Backend menu).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer } from '@huggingface/tokenizers';
import { TEST_PACKAGE } from '../support/paths';
import { launchChromium, recordConsole } from '../support/browser';
import { automaticWasm } from '../support/automatic-backend';
import { pickedBackend } from '../support/picked-backend';
import { answerDone, answerText, ask, lastAnswer, modelUrl, uploadReference, waitReady } from './app-helpers';

const reference = JSON.parse(readFileSync(join(TEST_PACKAGE, 'reference.json'), 'utf8'));
const tokenizer = new Tokenizer(
  JSON.parse(readFileSync(join(TEST_PACKAGE, 'tokenizer.json'), 'utf8')),
  JSON.parse(readFileSync(join(TEST_PACKAGE, 'tokenizer_config.json'), 'utf8')),
);
/** What PyTorch's greedy loop produced: the app's longer answer must begin with it. */
const expectedStart = tokenizer.decode(reference.answers[0].generated_ids, { skip_special_tokens: true });
const QUESTION: string = reference.answers[0].question;
const FOLLOW_UP: string = reference.answers[1].question;

/** Records every distinct text the last answer showed, to tell streaming from a single paint. */
async function watchAnswer(page: Page) {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { answerTexts: string[] }).answerTexts = seen;
    new MutationObserver(() => {
      const answers = document.querySelectorAll('[data-testid="message-assistant"] .text');
      const text = answers[answers.length - 1]?.textContent ?? '';
      if (text && text !== '…' && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

for (const backend of ['wasm', 'webgpu'] as const) {
  describe(`the app on ${backend}`, () => {
    let browser: Browser;
    let page: Page;
    let log: string[];

    beforeAll(async () => {
      browser = await launchChromium({ webgpu: backend === 'webgpu' });
      page = await browser.newPage();
      // WebGPU on SwiftShader is a pick: Automatic passes a software GPU over for WASM.
      if (backend === 'webgpu') await pickedBackend(page, { kind: 'webgpu' });
      log = recordConsole(page);
      await page.goto(modelUrl());
      await waitReady(page);
    });
    afterAll(async () => {
      await browser?.close();
    });

    it(`loads the model and picks ${backend}`, async () => {
      const label = await page.getByTestId('backend').textContent();
      expect(label, log.join('\n')).toContain(backend === 'webgpu' ? 'WebGPU' : await automaticWasm(page));
    });

    it('streams the answer to a question about an uploaded image', async () => {
      await uploadReference(page);
      await watchAnswer(page);
      await ask(page, QUESTION);
      await answerDone(page);
      const texts = await page.evaluate(() => (window as unknown as { answerTexts: string[] }).answerTexts);
      const final = await answerText(page);
      expect(texts.length, 'the answer appeared in several steps').toBeGreaterThan(3);
      expect(final.startsWith(expectedStart), `"${final}" starts with the PyTorch greedy answer "${expectedStart}"`).toBe(true);
      expect(await page.getByText(/tokens\/s/).count()).toBeGreaterThan(0);
    });

    it('stops a generation midway with the Stop button', async () => {
      const full = await answerText(page);
      // The click comes from the page the moment the first text shows: a round trip from the test
      // could arrive after this model's whole answer (a few hundred ms on WASM) has been written.
      const stopPressed = page.evaluate(() => {
        const answers = () => document.querySelectorAll('[data-testid="message-assistant"] .text');
        const before = answers().length;
        return new Promise<void>((resolve) => {
          const observer = new MutationObserver(() => {
            const all = answers();
            const text = all.length > before ? (all[all.length - 1].textContent ?? '') : '';
            if (!text || text === '…') return;
            observer.disconnect();
            Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Stop')!.click();
            resolve();
          });
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        });
      });
      await ask(page, QUESTION);
      await stopPressed;
      await answerDone(page);
      const stopped = await answerText(page);
      expect(await lastAnswer(page).locator('.stats').textContent()).toContain('stopped');
      expect(stopped.length).toBeLessThan(full.length);
      expect(full.startsWith(stopped)).toBe(true);
      expect(await page.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);
    });

    it('answers a follow-up about the same image, reusing its prefix', async () => {
      await ask(page, FOLLOW_UP);
      await answerDone(page);
      expect(await lastAnswer(page).locator('.stats').textContent()).toContain('image prefix reused');
      expect(await page.getByTestId('message-user').count()).toBe(3);
      const text = await answerText(page);
      const expected = tokenizer.decode(reference.answers[1].generated_ids, { skip_special_tokens: true });
      expect(text.startsWith(expected)).toBe(true);
    });
  });
}
