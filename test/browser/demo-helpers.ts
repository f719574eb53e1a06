import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
export { firstInteger } from '../../src/eval/score';
import { ROOT } from '../support/paths';

export interface Sample {
  file: string;
  caption: string;
  objects: { shape: string; color: string }[];
}

/** The sample scenes shipped in public/samples/, with what each contains. */
export const SAMPLES: Sample[] = JSON.parse(readFileSync(join(ROOT, 'public', 'samples', 'index.json'), 'utf8')).samples;
export const samplePath = (i: number) => join(ROOT, 'public', 'samples', SAMPLES[i].file);

/** Picks sample `i` (0-based) from the gallery and waits until it is encoded. */
export async function useSample(page: Page, i: number): Promise<void> {
  const gallery = page.locator('details.gallery');
  if (!(await gallery.evaluate((d) => (d as HTMLDetailsElement).open))) await gallery.locator('summary').click();
  await page.getByRole('button', { name: new RegExp(`^Use sample ${i + 1}:`) }).click();
  await page.getByRole('img', { name: `Your image: sample-${i + 1}.png` }).waitFor();
  await page.getByText(/encoded in \d+ ms/).waitFor();
}

/** Presses a task button (Caption / Count / Identify) after choosing what to count or look for. */
export async function runTask(page: Page, task: 'Caption' | 'Count' | 'Identify', what: { color?: string; shape?: string } = {}) {
  if (task !== 'Caption') {
    await page.getByLabel('Colour', { exact: true }).selectOption(what.color ?? '');
    await page.getByLabel('Shape', { exact: true }).selectOption(what.shape ?? '');
  }
  await page.getByRole('button', { name: task, exact: true }).click();
}
