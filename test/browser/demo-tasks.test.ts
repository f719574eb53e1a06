/**
 * One-click tasks: Caption, Count (a shape, a colour, both, or all objects)
 * and Identify fill the model's own task prompts from its manifest; a free
 * question goes through its VQA prompt; a count answer is shown as a large
 * number (the first integer of the answer, number words included). On the
 * random-weight package the answers are gibberish, so these check behaviour;
 * the last test checks a right count with the shipped GVT-tiny when present.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { ROOT } from '../support/paths';
import { answerDone, answerText, ask, lastAnswer, modelUrl, waitReady } from './app-helpers';
import { SAMPLES, firstInteger, runTask, useSample } from './demo-helpers';

const lastQuestion = (page: Page) => page.getByTestId('message-user').last();
/** What the user's bubble shows. */
const questionText = (page: Page) => lastQuestion(page).locator('.text').textContent();
/** The exact prompt, as a user reads it: one click on the bubble's Prompt. */
async function promptOf(page: Page): Promise<string | null> {
  const prompt = lastQuestion(page).getByTestId('prompt');
  expect(await prompt.isVisible()).toBe(false);
  await lastQuestion(page).getByText('Prompt', { exact: true }).click();
  return (await prompt.isVisible()) ? prompt.textContent() : null;
}

describe('one-click tasks on the test package', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium({ webgpu: false });
    page = await browser.newPage();
    await page.goto(modelUrl());
    await waitReady(page);
    await useSample(page, 0);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('Caption asks the manifest caption prompt', async () => {
    await runTask(page, 'Caption');
    await answerDone(page);
    expect(await promptOf(page)).toBe('Describe the image in detail in a sentence: This is an image of');
    expect((await answerText(page)).length).toBeGreaterThan(0);
    expect(await lastAnswer(page).getByTestId('count-number').count()).toBe(0);
  });

  for (const [what, prompt, shown] of [
    [{ shape: 'star' }, 'How many stars are there in the image?', 'Count stars'],
    [{ color: 'red', shape: 'star' }, 'How many red stars are there in the image?', 'Count red stars'],
    [{ color: 'blue' }, 'How many blue objects are there in the image?', 'Count blue objects'],
    [{}, 'How many objects are there in the image?', 'Count objects'],
  ] as const) {
    it(`Count ${JSON.stringify(what)} shows "${shown}", asks "${prompt}" and shows the count as a large number`, async () => {
      await runTask(page, 'Count', what);
      await answerDone(page);
      expect(await questionText(page)).toBe(shown);
      expect(await promptOf(page)).toBe(prompt);
      const text = await answerText(page);
      const big = lastAnswer(page).getByTestId('count-number');
      expect(await big.isVisible()).toBe(true);
      expect(await big.textContent()).toBe(String(firstInteger(text) ?? '?'));
    });
  }

  for (const [what, prompt] of [
    [{ color: 'red', shape: 'star' }, 'Does a red star exist in the image?'],
    [{ color: 'orange', shape: 'circle' }, 'Does an orange circle exist in the image?'],
    [{ shape: 'triangle' }, 'Does a triangle exist in the image?'],
    [{}, 'Does an object exist in the image?'],
  ] as const) {
    it(`Identify ${JSON.stringify(what)} asks "${prompt}"`, async () => {
      await runTask(page, 'Identify', what);
      await answerDone(page);
      expect(await promptOf(page)).toBe(prompt);
      const text = await answerText(page);
      expect(text.length).toBeGreaterThan(0);
      const word = /\b(yes|no)\b/i.exec(text)?.[1].toLowerCase();
      expect(await lastAnswer(page).getByTestId('identify-answer').textContent()).toBe(word === 'yes' ? 'Yes' : word === 'no' ? 'No' : '?');
    });
  }

  it('a free question goes through the VQA prompt; a typed task question is sent as typed', async () => {
    await ask(page, 'What color is the circle?');
    await answerDone(page);
    expect(await questionText(page)).toBe('What color is the circle?');
    expect(await promptOf(page)).toBe('Question: What color is the circle? Answer:');
    await ask(page, 'How many circles are there in the image?');
    await answerDone(page);
    expect(await promptOf(page)).toBe('How many circles are there in the image?');
    // A typed count question gets the large number too.
    expect(await lastAnswer(page).getByTestId('count-number').textContent()).toBe(String(firstInteger(await answerText(page)) ?? '?'));
  });

  it('the task buttons wait for an image and the model, and say so by being disabled', async () => {
    const fresh = await browser.newPage();
    await fresh.goto(modelUrl());
    await waitReady(fresh);
    for (const name of ['Caption', 'Count', 'Identify']) expect(await fresh.getByRole('button', { name, exact: true }).isDisabled()).toBe(true);
    await fresh.close();
  });
});

const GVT_TINY = join(ROOT, 'public', 'models', 'gvt-tiny', 'manifest.json');

describe.skipIf(!existsSync(GVT_TINY))('GVT-tiny, the default model', () => {
  it('loads without ?model and answers Count on a sample scene with the right digit', async () => {
    const browser = await launchChromium({ webgpu: false });
    try {
      const page = await browser.newPage();
      await page.goto(inject('appUrl')); // no ?model: the shipped default
      await waitReady(page);
      expect(await page.getByTestId('model-status').textContent()).toContain('GVT-tiny');
      const sample = SAMPLES[0];
      const stars = sample.objects.filter((o) => o.shape === 'star').length;
      await useSample(page, 0);
      await runTask(page, 'Count', { shape: 'star' });
      await answerDone(page);
      const text = await answerText(page);
      const shown = await lastAnswer(page).getByTestId('count-number').textContent();
      expect(text.trim(), 'a count answer is a digit').toMatch(/^\d\.?$/);
      expect(shown).toBe(String(firstInteger(text)));
      expect(shown, `${sample.caption}: "${text}"`).toBe(String(stars));
    } finally {
      await browser.close();
    }
  });
});
