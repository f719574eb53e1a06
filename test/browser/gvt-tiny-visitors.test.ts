/**
 * The shipped GVT-tiny as a new visitor uses it (in Chromium, the default
 * model, no ?model): questions typed in their own words about a sample scene
 * and about a photographed card, and a photo that is no Shapes World scene.
 * The photographed card is drawn by the training package's photo generator
 * with the spec's ranges (a seed no training run uses); the photos are
 * python3-skimage's sample data.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { ROOT } from '../support/paths';
import { answerDone, answerText, ask, lastAnswer, waitReady } from './app-helpers';
import { SAMPLES, useSample } from './demo-helpers';

const GVT_TINY = join(ROOT, 'public', 'models', 'gvt-tiny', 'manifest.json');
const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';
const NOTICE = /^This image does not look like a Shapes World scene/;

async function upload(page: Page, file: string) {
  await page.getByLabel('Upload image').setInputFiles(file);
  await page.getByRole('img', { name: `Your image: ${file.split('/').pop()}` }).waitFor();
  await page.getByText(/encoded in \d+ ms/).waitFor();
}

describe.skipIf(!existsSync(GVT_TINY))('GVT-tiny as a visitor uses it', () => {
  let browser: Browser;
  let page: Page;
  const tmp = mkdtempSync(join(tmpdir(), 'gvt-visitor-'));
  beforeAll(async () => {
    browser = await launchChromium({ webgpu: false });
    page = await browser.newPage();
    await page.goto(inject('appUrl'));
    await waitReady(page);
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('answers "Is there a red circle?" typed about each sample scene with the right Yes/No', async () => {
    for (const [i, sample] of SAMPLES.entries()) {
      await useSample(page, i);
      await ask(page, 'Is there a red circle?');
      await answerDone(page);
      const truth = sample.objects.some((o) => o.color === 'red' && o.shape === 'circle') ? 'Yes' : 'No';
      const shown = await lastAnswer(page).getByTestId('identify-answer').textContent();
      expect(shown, `${sample.caption}: "${await answerText(page)}"`).toBe(truth);
      expect(await page.getByTestId('scene-notice').count(), 'no notice on a scene').toBe(0);
    }
  });

  it('reads a typo in a colour or shape as the word meant, says so, and answers as without it', async () => {
    for (const [i, sample] of SAMPLES.entries()) {
      await useSample(page, i);
      await ask(page, 'how many cirlces are there');
      await answerDone(page);
      const circles = sample.objects.filter((o) => o.shape === 'circle').length;
      expect(await lastAnswer(page).getByTestId('count-number').textContent(), `${sample.caption}: "${await answerText(page)}"`).toBe(String(circles));
      await expect.poll(() => page.getByTestId('corrections').last().textContent()).toBe('Read “cirlces” as “circles”.');
    }
  });

  it('counts on a photographed card asked "how many stars do you see"', async () => {
    const r = spawnSync('/usr/bin/python3', ['-m', 'gvt.make_eval_set', '--out', tmp, '--n', '4', '--seed', '9001', '--photo'], {
      cwd: ROOT,
      env: { ...process.env, PYTHONPATH: 'training', OMP_NUM_THREADS: '2' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const scene = JSON.parse(readFileSync(join(tmp, 'scenes.jsonl'), 'utf8').split('\n')[0]);
    await upload(page, join(tmp, scene.image));
    await ask(page, 'how many stars do you see');
    await answerDone(page);
    const stars = scene.objects.filter((o: { shape: string }) => o.shape === 'star').length;
    expect(await lastAnswer(page).getByTestId('count-number').textContent(), await answerText(page)).toBe(String(stars));
    expect(await page.getByTestId('scene-notice').count(), 'no notice on a photographed card').toBe(0);
  });

  it('says a photo is no Shapes World scene before any answer, and offers a photo model', async () => {
    await upload(page, join(SKIMAGE, 'astronaut.png'));
    const notice = page.getByTestId('scene-notice');
    await notice.waitFor();
    expect((await notice.locator('p').textContent())?.trim()).toMatch(NOTICE);
    expect(await page.getByTestId('message-assistant').count(), 'shown before any question').toBe(0);
    expect(await notice.getByRole('button', { name: /^Use SmolVLM 256M for photos$/ }).isVisible()).toBe(true);
  });

  it('answers an off-topic question with one honest sentence, never a made-up scene: about a photo and about a sample scene', async () => {
    await upload(page, join(SKIMAGE, 'astronaut.png'));
    await ask(page, 'What is the capital of France?');
    await answerDone(page);
    expect((await answerText(page)).trim()).toMatch(/^I can only .*\?$/);
    await useSample(page, 0);
    await ask(page, 'What is the capital of France?');
    await answerDone(page);
    expect((await answerText(page)).trim()).toMatch(/^I can only .*\?$/);
  });
});
