/**
 * The shipped default model (public/models/gvt-tiny) on fresh sets that no
 * training run has seen (made here with make_eval_set, seeds 4242-4248;
 * training uses seeds 0-999 and its own held-out seed), through the TS engine,
 * each question sent as the app's question box sends it:
 *  - clean renders, the spec's template wording;
 *  - clean renders, worded from the held-out phrasings (--paraphrase);
 *  - photographed cards, template wording (--photo);
 *  - objects half and twice the spec's size (--scale 0.5, --scale 2): count only;
 *  - Yes/No checks of a claim, held-out wording (--claims).
 * Each task (100 questions here) must clear two floors:
 *  - targets: the targets for that kind of set less about 2.5
 *    standard errors at this sample size,
 *    except where the shipped package falls short of the target on 2000
 *    questions (`short`, reported with figures in training/README.md);
 *  - SHIPPED: the level the shipped package measured on 2000 fresh questions
 *    of that kind (400 for sizes and claims; training/README.md), less 2.5
 *    standard errors of the difference of that sample and this one: a
 *    regression guard. (A level from 100 questions is itself that noisy: the
 *    half-size count, 0.990 there, measured 0.93 here.)
 * Then what a visitor notices beyond scores: a scene answers the same in 16:9
 * and 3:4 as square, the scene check stays quiet on scenes, and off-topic
 * questions get one honest sentence.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/engine/image';
import { freePrompt } from '../../src/engine/prompt';
import { GREEDY } from '../../src/engine/sampling';
import { evaluatePackage, type EvalOutput } from '../../src/eval/evaluate';
import type { PackageSource } from '../../src/engine/package';
import { folderSource, loadEngine, readPng, type NodeEngine } from '../../src/node/node-engine';
import { ROOT } from '../support/paths';

type Scores = { count: number; identify: number; vqa: number; caption_exact: number };
/** The shipped package's levels on 2000 fresh questions of each kind (400 for the sizes and claims), less the margin. */
const SHIPPED_CLEAN = { count: 0.95, identify: 0.97, vqa: 0.96, caption_exact: 0.9 };
const SHIPPED_PARAPHRASED = { count: 0.91, identify: 0.94, vqa: 0.93, caption_exact: 0.87 };
const SHIPPED_PHOTOGRAPHED = { count: 0.93, identify: 0.96, vqa: 0.95, caption_exact: 0.92 };
const SHIPPED_HALF = { count: 0.92 };
const SHIPPED_DOUBLE = { count: 0.87 };
const SHIPPED_CLAIMS = { identify: 0.83 }; // all 400 of its questions are claims, so its margin is 400 questions'
/** Tasks whose target the shipped package misses on 2000 questions: only the regression guard applies. */
const SHORT_DOUBLE = ['count'];
/** The share of 16:9 and 3:4 shots answered exactly as the square scene. */
const ASPECT_AGREEMENT = 0.8;
/** The share of questions answered alike by WASM's integer-arithmetic vision graph and WebGPU's float one. */
const BACKEND_AGREEMENT = 0.95;
const N = 400;
const MODEL = join(ROOT, 'public/models/gvt-tiny');
// maxFlagged: the spec allows the scene check 1 false alarm in 200 scenes, so none in these 100;
// objects beyond the spec's sizes may look less like a scene, and a few are tolerated there.
const SETS: Record<string, { flags: string[]; seed: number; targets: Partial<Scores>; shipped: Partial<Scores>; short: string[]; maxFlagged: number }> = {
  clean: { flags: [], seed: 4242, targets: { count: 0.93, identify: 0.96, vqa: 0.95, caption_exact: 0.82 }, shipped: SHIPPED_CLEAN, short: [], maxFlagged: 0 },
  paraphrased: { flags: ['--paraphrase'], seed: 4243, targets: { count: 0.88, identify: 0.93, vqa: 0.89, caption_exact: 0.76 }, shipped: SHIPPED_PARAPHRASED, short: [], maxFlagged: 0 },
  photographed: { flags: ['--photo'], seed: 4244, targets: { count: 0.89, identify: 0.94, vqa: 0.93, caption_exact: 0.76 }, shipped: SHIPPED_PHOTOGRAPHED, short: [], maxFlagged: 0 },
  'half-size': { flags: ['--scale', '0.5'], seed: 4246, targets: { count: 0.93 }, shipped: SHIPPED_HALF, short: [], maxFlagged: 3 },
  'double-size': { flags: ['--scale', '2'], seed: 4247, targets: { count: 0.93 }, shipped: SHIPPED_DOUBLE, short: SHORT_DOUBLE, maxFlagged: 3 },
  // Yes/No checks of a claim ("is the star yellow?"), held-out phrasings: no target in the issue, so the guard alone.
  claims: { flags: ['--claims'], seed: 4248, targets: {}, shipped: SHIPPED_CLAIMS, short: [], maxFlagged: 0 },
};

const tmp = mkdtempSync(join(tmpdir(), 'gvt-tiny-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function python(args: string[]) {
  const r = spawnSync('/usr/bin/python3', args, { cwd: ROOT, env: { ...process.env, PYTHONPATH: 'training', OMP_NUM_THREADS: '2' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${r.stderr}`);
}

function makeSet(name: string, args: string[]): string {
  const out = join(tmp, name);
  python(['-m', 'gvt.make_eval_set', '--out', out, ...args]);
  return out;
}

/** python3-skimage's photographs, colour and grey (not its drawings, charts and test patterns), as PNG. */
const SKIMAGE = '/usr/lib/python3/dist-packages/skimage/data';
const PHOTOS = ['astronaut.png', 'brick.png', 'camera.png', 'cell.png', 'chelsea.png', 'clock_motion.png', 'coffee.png', 'coins.png',
  'grass.png', 'gravel.png', 'hubble_deep_field.jpg', 'ihc.png', 'microaneurysms.png', 'moon.png', 'motorcycle_left.png', 'page.png',
  'retina.jpg', 'rocket.jpg', 'text.png'];

describe.each(Object.entries(SETS))('GVT-tiny on a fresh %s set', (name, set) => {
  let result: EvalOutput;
  beforeAll(async () => {
    result = await evaluatePackage(MODEL, makeSet(name, ['--n', String(N), '--seed', String(set.seed), ...set.flags]));
  }, 240_000);

  it('answers every question, and the scene check calls (almost) none of its scenes a non-scene', () => {
    expect(result.answers.length).toBe(N);
    expect(result.sceneFlags!.flagged.length, `flagged: ${result.sceneFlags!.flagged}`).toBeLessThanOrEqual(set.maxFlagged);
  });
  it.each(Object.keys({ ...set.targets, ...set.shipped }))('%s clears the target and the shipped level less the margin', (task) => {
    const key = task as keyof Scores;
    const floor = Math.max(set.short.includes(key) ? 0 : (set.targets[key] ?? 0), set.shipped[key] ?? 0);
    const score = result.report[key];
    const wrong = result.answers.filter((a) => !a.correct && (key.startsWith('caption') ? a.task === 'caption' : a.task === key)).slice(0, 5);
    expect(score, `${key} ${score}; e.g. ${JSON.stringify(wrong.map((a) => [a.question, a.output, a.answer]))}`).toBeGreaterThanOrEqual(floor);
  });
});

/** The scene on a wider or taller canvas of its own background: what a 16:9 or 3:4 shot of it shows. */
function onCanvas(image: RgbaImage, width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(image.data.subarray(0, 4), i * 4);
  const x0 = (width - image.width) >> 1;
  const y0 = (height - image.height) >> 1;
  for (let y = 0; y < image.height; y++) data.set(image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4), ((y0 + y) * width + x0) * 4);
  return { width, height, data };
}

/** The package as WebGPU reads it: its manifest without the integer-arithmetic vision graph. */
function withoutIntegerVision(dir: string): PackageSource {
  const folder = folderSource(dir);
  return {
    describe: folder.describe,
    async read(path, onProgress) {
      if (path !== 'manifest.json') return folder.read(path, onProgress);
      const manifest = JSON.parse(new TextDecoder().decode(await folder.read(path)));
      expect(manifest.files.vision_encoder_int8, 'the shipped package has an integer-arithmetic vision graph').toBeDefined();
      delete manifest.files.vision_encoder_int8;
      return new TextEncoder().encode(JSON.stringify(manifest));
    },
  };
}

describe('GVT-tiny as visitors use it', () => {
  let engine: NodeEngine;
  let dir: string;
  beforeAll(async () => {
    dir = makeSet('aspect', ['--n', '160', '--seed', '4245']);
    engine = await loadEngine(MODEL);
  }, 120_000);
  afterAll(() => engine?.release());

  const answer = async (key: string, image: RgbaImage, question: string) => {
    const { tokens } = await engine.vision.encode(image);
    return (await engine.llm.answer(key, tokens, freePrompt(engine.manifest.tasks, question).prompt, { ...GREEDY, maxNewTokens: 48 })).text;
  };

  it('answers a 16:9 and a 3:4 shot of a scene as it answers the square one', async () => {
    const questions = readFileSync(join(dir, 'questions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    let same = 0;
    for (const [i, q] of questions.entries()) {
      const square = await readPng(join(dir, q.image));
      const s = square.width;
      const expected = await answer(`sq-${i}`, square, q.question);
      const wide = await answer(`wide-${i}`, onCanvas(square, Math.round((s * 16) / 9), s), q.question);
      const tall = await answer(`tall-${i}`, onCanvas(square, s, Math.round((s * 4) / 3)), q.question);
      same += Number(wide === expected) + Number(tall === expected);
    }
    expect(same / (2 * questions.length)).toBeGreaterThanOrEqual(ASPECT_AGREEMENT);
  }, 240_000);

  it("answers as WebGPU would: WASM's integer-arithmetic vision graph and the float one agree", async () => {
    const float = await loadEngine(MODEL, withoutIntegerVision(MODEL));
    try {
      const visionFile = (e: NodeEngine) => e.engine.parts().info.files.map((f) => f.file).filter((f) => f.startsWith('vision'));
      expect([visionFile(engine), visionFile(float)]).toEqual([['vision_encoder_int8.onnx'], ['vision_encoder.onnx']]);
      const questions = readFileSync(join(dir, 'questions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      let same = 0;
      for (const [i, q] of questions.entries()) {
        const image = await readPng(join(dir, q.image));
        const { tokens } = await float.vision.encode(image);
        const expected = (await float.llm.answer(`f-${i}`, tokens, freePrompt(float.manifest.tasks, q.question).prompt, { ...GREEDY, maxNewTokens: 48 })).text;
        same += Number((await answer(`i-${i}`, image, q.question)) === expected);
      }
      expect(same / questions.length).toBeGreaterThanOrEqual(BACKEND_AGREEMENT);
    } finally {
      await float.release();
    }
  }, 240_000);

  it('calls at least 9 of 10 of the photographs python3-skimage ships not a Shapes World scene', async () => {
    const out = join(tmp, 'photos');
    mkdirSync(out);
    const convert = `import sys\nfrom PIL import Image\nfor f in sys.argv[2:]: Image.open("${SKIMAGE}/" + f).convert("RGB").save(sys.argv[1] + "/" + f + ".png")`;
    python(['-c', convert, out, ...PHOTOS]);
    expect(readdirSync(out).length).toBe(PHOTOS.length);
    const threshold = engine.manifest.scene_check!.threshold;
    const scores: Record<string, number> = {};
    for (const file of readdirSync(out)) scores[file] = (await engine.vision.encode(await readPng(join(out, file)))).sceneScore!;
    const flagged = Object.values(scores).filter((s) => s < threshold).length;
    expect(flagged / PHOTOS.length, JSON.stringify(scores)).toBeGreaterThanOrEqual(0.9);
  });

  it('answers questions it cannot answer with one honest sentence and an example', async () => {
    const scene = await readPng(join(ROOT, 'public/samples/scene-1.png'));
    // The first is the issue's own example; the others are held out of training (phrasing.py).
    for (const question of ['What is the capital of France?', 'Who built you?', 'Is there a giraffe in the picture?', 'how far is the moon']) {
      const text = await answer(`off-${question}`, scene, question);
      expect(text.trim(), question).toMatch(/^I can only .*\?$/);
    }
  });

  it('answers off-topic questions about a photo with the one sentence, never a made-up scene', async () => {
    let refused = 0;
    const questions = ['What is the capital of France?', 'who made you', 'tell me a joke', 'what is the weather like', 'Is there a dog?', 'how many cars are there?'];
    const photos = ['astronaut.png', 'chelsea.png', 'coffee.png', 'camera.png'];
    for (const photo of photos) {
      const image = await readPng(join(SKIMAGE, photo));
      for (const question of questions) refused += Number(/^\s*I can only/.test(await answer(`photo-${photo}`, image, question)));
    }
    expect(refused).toBe(24);
  });
});
