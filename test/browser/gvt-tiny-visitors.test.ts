/**
 * The shipped GVT-tiny as a new visitor uses it (in Chromium, the default
 * model, no ?model): questions typed in their own words about a sample scene
 * and about a photographed card, and a photo that is no Shapes World scene.
 * The photographed card is drawn by the training package's photo generator
 * with the spec's ranges (a seed no training run uses); the photos are
 * python3-skimage's sample data. The same card also comes through Chromium's
 * fake camera, as a booth visitor holds one up.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { pngToY4m } from '../support/y4m';
import { ROOT } from '../support/paths';
import { answerDone, answerText, ask, lastAnswer, waitReady } from './app-helpers';
import { SAMPLES, useSample } from './demo-helpers';

const GVT_TINY = join(ROOT, 'public', 'models', 'gvt-tiny', 'manifest.json');
const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';
const NOTICE = /^This image does not look like a Shapes World scene/;

interface CardScene {
  image: string;
  objects: { shape: string; color: string }[];
}

/** A card photographed by the training package's generator with the spec's ranges (seed 9001, which no training run uses). */
function photographedCard(dir: string): CardScene {
  const r = spawnSync('/usr/bin/python3', ['-m', 'gvt.make_eval_set', '--out', dir, '--n', '4', '--seed', '9001', '--photo'], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: 'training', OMP_NUM_THREADS: '2' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`gvt.make_eval_set failed: ${r.stderr}`);
  return JSON.parse(readFileSync(join(dir, 'scenes.jsonl'), 'utf8').split('\n')[0]);
}

const stars = (scene: CardScene) => String(scene.objects.filter((o) => o.shape === 'star').length);

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
    const scene = photographedCard(tmp);
    await upload(page, join(tmp, scene.image));
    await ask(page, 'how many stars do you see');
    await answerDone(page);
    expect(await lastAnswer(page).getByTestId('count-number').textContent(), await answerText(page)).toBe(stars(scene));
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

describe.skipIf(!existsSync(GVT_TINY))('GVT-tiny and a card held up to the camera', () => {
  let browser: Browser;
  const tmp = mkdtempSync(join(tmpdir(), 'gvt-camera-'));
  let scene: CardScene;
  beforeAll(async () => {
    scene = photographedCard(tmp);
    // Chromium's fake camera shows this video: the card filling the square the camera's guide frames.
    pngToY4m(join(tmp, scene.image), join(tmp, 'card.y4m'));
    browser = await launchChromium({
      webgpu: false,
      extraArgs: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${join(tmp, 'card.y4m')}`],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('counts the stars of a photographed card taken with the camera, as typed "how many stars do you see"', async () => {
    const page = await browser.newPage();
    const url = inject('appUrl');
    await page.context().grantPermissions(['camera'], { origin: new URL(url).origin });
    await page.goto(url);
    await waitReady(page);
    await page.getByRole('button', { name: 'Camera', exact: true }).click();
    const take = page.getByRole('button', { name: 'Take photo' });
    await expect.poll(() => take.isEnabled(), { timeout: 20_000 }).toBe(true);
    await take.click();
    await page.getByRole('img', { name: /Your image: camera-\d+\.png/ }).waitFor();
    await page.getByText(/encoded in \d+ ms/).waitFor();
    expect(await page.getByTestId('scene-notice').count(), 'no notice on a photographed card').toBe(0);
    await ask(page, 'how many stars do you see');
    await answerDone(page);
    expect(await lastAnswer(page).getByTestId('count-number').textContent(), await answerText(page)).toBe(stars(scene));
  });
});
