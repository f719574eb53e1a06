import { join } from 'node:path';
import type { Locator, Page, Worker } from 'playwright-core';
import { inject } from 'vitest';
import { TEST_PACKAGE } from '../support/paths';

export const modelUrl = (name = 'test-package') => `${inject('appUrl')}?model=/models/${name}/`;

export async function waitReady(page: Page): Promise<void> {
  await page.getByTestId('model-status').getByText(/ready/).waitFor({ timeout: 120_000 });
}

export async function uploadReference(page: Page): Promise<void> {
  await page.getByLabel('Upload image').setInputFiles(join(TEST_PACKAGE, 'reference.png'));
  await page.getByRole('img', { name: /reference\.png/ }).waitFor();
  await page.getByText(/encoded in \d+ ms/).waitFor();
}

export async function ask(page: Page, question: string): Promise<void> {
  await page.getByLabel('Question').fill(question);
  await page.getByRole('button', { name: 'Send' }).click();
}

export const lastAnswer = (page: Page) => page.getByTestId('message-assistant').last();
export const answerText = async (page: Page) => (await lastAnswer(page).locator('.text').textContent()) ?? '';
export const answerDone = (page: Page) => lastAnswer(page).locator('.stats').waitFor({ timeout: 90_000 });

/** The reference image, one question answered about it, and the model worker that answered. */
export async function answeredOnce(page: Page): Promise<Worker> {
  await uploadReference(page);
  await ask(page, 'How many stars are there in the image?');
  await answerDone(page);
  const worker = page.workers().find((w) => w.url().includes('model.worker'));
  if (!worker) throw new Error('no model worker in the page');
  return worker;
}

/** Every element `locator` matches lies wholly inside the viewport. */
export async function fitsViewport(page: Page, locator: Locator): Promise<boolean> {
  const { width, height } = page.viewportSize()!;
  for (const box of await Promise.all((await locator.all()).map((l) => l.boundingBox()))) {
    if (!box || box.x < 0 || box.y < 0 || box.x + box.width > width || box.y + box.height > height) return false;
  }
  return true;
}
