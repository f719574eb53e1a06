/**
 * npm run eval:canvas -- --from DIR --out DIR [--photo] [--seed S]
 *
 * Redraws an evaluation folder (one made by `npm run eval:make`) with another
 * renderer: Chromium's 2D canvas, driven by scripts/canvas-scene.js, which
 * shares no code with training/gvt. The questions and answers stay those of
 * DIR's scenes; every image is drawn anew, clean or (--photo) as a card
 * photographed on a desk, within the spec's ranges. Score the result with
 * `npm run eval -- --data OUT`.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/support/browser';

interface SceneLine {
  image: string;
  objects: { shape: string; color: string; cx: number; cy: number; r: number }[];
}

async function main() {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, out: { type: 'string' }, photo: { type: 'boolean', default: false }, seed: { type: 'string', default: '1' } },
  });
  if (!values.from || !values.out) throw new Error('usage: npm run eval:canvas -- --from DIR --out DIR [--photo] [--seed S]');
  const scenes: SceneLine[] = readFileSync(join(values.from, 'scenes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  mkdirSync(join(values.out, 'images'), { recursive: true });
  for (const file of ['questions.jsonl', 'scenes.jsonl']) copyFileSync(join(values.from, file), join(values.out, file));

  const browser = await launchChromium({ webgpu: false });
  try {
    const page = await browser.newPage();
    await page.addScriptTag({ content: readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'canvas-scene.js'), 'utf8') });
    for (const [i, scene] of scenes.entries()) {
      const seed = (Number(values.seed) * 100_003 + i) >>> 0;
      const url: string = await page.evaluate(`drawScene(${JSON.stringify(scene)}, ${seed}, ${values.photo})`);
      writeFileSync(join(values.out, scene.image), Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
    }
  } finally {
    await browser.close();
  }
  console.log(`drew ${scenes.length} ${values.photo ? 'photographed cards' : 'scenes'} into ${values.out}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
