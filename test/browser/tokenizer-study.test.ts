/**
 * The tokenizer study's packages in the app, as a teacher uses them: the
 * three rows are offered under "Tokenizer study", one loads from the site
 * itself, shows its row in its model card, answers a task on a sample scene,
 * and is opened again on the next visit.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STUDY_PACKAGES } from '../../src/study/packages';
import { launchChromium, recordConsole } from '../support/browser';
import { answerDone, lastAnswer, waitReady } from './app-helpers';
import { runTask, SAMPLES, useSample } from './demo-helpers';

let browser: Browser;
const radio = (page: Page, name: string) => page.getByRole('radio', { name, exact: true });
const status = (page: Page) => page.getByTestId('model-status');

beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
});
afterAll(async () => {
  await browser?.close();
});

describe('tokenizer study packages', () => {
  it('a study model loads, states its row, counts on a sample and is remembered', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const logs = recordConsole(page);
    await page.goto(inject('appUrl'));
    await waitReady(page);
    const group = page.getByRole('group', { name: 'Tokenizer study' });
    expect(await group.getByRole('radio').count()).toBe(STUDY_PACKAGES.length);
    await useSample(page, 0);

    const gvt = STUDY_PACKAGES.find((p) => p.id === 'study/gvt')!;
    await radio(page, gvt.name).check();
    await status(page).getByText(`${gvt.name} ready`).waitFor({ timeout: 60_000 });
    // The card is rendered Markdown: its row named, its scores a table.
    const card = page.getByTestId('model-card');
    expect(await card.textContent(), logs.join('\n')).toContain('row gvt');
    await page.getByText('Model card', { exact: true }).click();
    expect(await card.getByRole('table').getByRole('row').count()).toBe(8);
    // Its scene check was trained on its own tokenizer: a sample scene raises no notice.
    expect(await page.getByText(/This image does not look like a Shapes World scene/).count()).toBe(0);

    await runTask(page, 'Count', { shape: SAMPLES[0].objects[0].shape });
    await answerDone(page);
    expect(await lastAnswer(page).getByTestId('count-number').textContent()).toMatch(/^\d+$/);

    await page.reload();
    await status(page).getByText(`${gvt.name} ready`).waitFor({ timeout: 60_000 });
    expect(await radio(page, gvt.name).isChecked()).toBe(true);

    await radio(page, 'GVT-tiny').check();
    await status(page).getByText('GVT-tiny ready').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => localStorage.getItem('gvt-web:model'))).toBeNull();
    await page.context().close();
  });
});
