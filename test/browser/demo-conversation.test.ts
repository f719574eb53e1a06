/**
 * A conversation per image: follow-ups reuse the image prefix, a new image
 * starts a new thread and the old ones stay a click away; Copy, Regenerate,
 * Clear, and Stop during a task.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { answerDone, answerText, ask, lastAnswer, modelUrl, waitReady } from './app-helpers';
import { runTask, useSample } from './demo-helpers';

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
  page = await browser.newPage();
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(modelUrl()).origin });
  await page.goto(modelUrl());
  await waitReady(page);
});
afterAll(async () => {
  await browser?.close();
});

const stats = (p: Page) => lastAnswer(p).getByTestId('stats').textContent();
const userCount = (p: Page) => p.getByTestId('message-user').count();

describe('a conversation per image', () => {
  it('a follow-up about the same image reuses its prefix', async () => {
    await useSample(page, 0);
    await runTask(page, 'Count', { shape: 'star' });
    await answerDone(page);
    expect(await stats(page)).not.toContain('image prefix reused');
    await ask(page, 'What color is the circle?');
    await answerDone(page);
    expect(await stats(page)).toContain('image prefix reused');
    expect(await userCount(page)).toBe(2);
  });

  it('a new image starts a new thread; the old one is kept and can be switched back to', async () => {
    await useSample(page, 3);
    expect(await userCount(page)).toBe(0);
    const threads = page.getByTestId('thread');
    expect(await threads.count()).toBe(2);
    expect(await threads.nth(1).getAttribute('aria-current')).toBe('true');
    await runTask(page, 'Caption');
    await answerDone(page);
    expect(await userCount(page)).toBe(1);

    await threads.nth(0).click();
    await page.getByRole('img', { name: 'Your image: sample-1.png' }).waitFor();
    expect(await userCount(page)).toBe(2);
    expect(await page.getByTestId('message-user').first().locator('.text').textContent()).toBe('Count stars');
    expect(await threads.nth(0).getAttribute('aria-current')).toBe('true');
    // Back on the first image, a follow-up still reuses its prefix.
    await ask(page, 'What shape is the yellow object?');
    await answerDone(page);
    expect(await stats(page)).toContain('image prefix reused');
    expect(await userCount(page)).toBe(3);

    await threads.nth(1).click();
    await page.getByRole('img', { name: 'Your image: sample-4.png' }).waitFor();
    expect(await userCount(page)).toBe(1);
    expect(await threads.nth(0).textContent()).toContain('3 questions');
  });

  it('Copy puts the answer on the clipboard', async () => {
    const text = await answerText(page);
    await lastAnswer(page).getByRole('button', { name: 'Copy', exact: true }).click();
    await lastAnswer(page).getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(text);
  });

  it('Regenerate answers the last question again in place', async () => {
    const before = await answerText(page);
    const answers = await page.getByTestId('message-assistant').count();
    await lastAnswer(page).getByRole('button', { name: 'Regenerate' }).click();
    await answerDone(page);
    expect(await page.getByTestId('message-assistant').count()).toBe(answers);
    expect(await userCount(page)).toBe(1);
    // Greedy (temperature 0): the same answer again, this time from the cached prefix.
    expect(await answerText(page)).toBe(before);
    expect(await stats(page)).toContain('image prefix reused');
  });

  it('Stop ends a task midway; Clear empties this thread only', async () => {
    // Stop right after the press, before this short answer can finish on its own.
    await page.evaluate(async () => {
      const button = (name: string) => Array.from(document.querySelectorAll('button')).find((b) => b.textContent === name)!;
      button('Caption').click();
      await new Promise((resolve) => setTimeout(resolve, 0));
      button('Stop').click();
    });
    await answerDone(page);
    expect(await stats(page)).toContain('stopped');
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);

    // Escape stops too, wherever the focus is.
    await page.evaluate(async () => {
      Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Caption')!.click();
      await new Promise((resolve) => setTimeout(resolve, 0));
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    await answerDone(page);
    expect(await stats(page)).toContain('stopped');

    await page.getByRole('button', { name: 'Clear', exact: true }).click();
    expect(await userCount(page)).toBe(0);
    await page.getByText(/press Caption, Count or Identify/).waitFor();
    await page.getByTestId('thread').nth(0).click();
    expect(await userCount(page)).toBe(3);
  });
});
