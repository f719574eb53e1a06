/**
 * The training pipeline in miniature: a tiny config trained for a few steps of
 * every phase, exported, quantized (int8 vision, 4-bit LM), then the package
 * loads in the TS engine and generates. Then what `npm run train` promises of
 * a seed: a rerun gives the same graphs, and so does a run started from the
 * saved clean stage 1 (the committed checkpoint's role), and a run stopped
 * midway (in stage 1, after it, or in stage 2) and run again.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GREEDY } from '../../src/engine/sampling';
import { loadEngine, readPng } from '../../src/node/node-engine';
import { trainingPython } from '../support/training-python';

const tmp = mkdtempSync(join(tmpdir(), 'gvt-smoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TINY = ['--seed', '3', '--images', '64', '--image-size', '64', '--vit-width', '32', '--vit-layers', '1', '--vit-heads', '2',
  '--resampler-layers', '1', '--lm-width', '64', '--lm-layers', '1', '--lm-heads', '2', '--s1-steps', '3',
  '--s1-restart-steps', '2', '--s1-batch', '8', '--world-images', '64', '--s1-world-steps', '2', '--scene-images', '16',
  '--scene-steps', '3', '--s2-steps', '4', '--s2-batch', '4', '--s2b-steps', '3', '--non-scene-images', '8', '--eval-n', '8'];

const python = (args: string[]) => trainingPython(args, 150_000);

/** Trains into tmp/NAME and ships it to tmp/NAME-pkg; returns ship's size report. */
function trainAndShip(name: string, extra: string[] = [], stopFirst: string[] = []) {
  if (stopFirst.length) python(['-m', 'gvt.train', '--run', join(tmp, name), ...TINY, ...extra, ...stopFirst]);
  python(['-m', 'gvt.train', '--run', join(tmp, name), ...TINY, ...extra]);
  return JSON.parse(python(['-m', 'gvt.ship', '--run', join(tmp, name), '--out', join(tmp, `${name}-pkg`), '--vision', 'int8', '--lm', 'int4']).trim().split('\n').pop()!);
}

function fp32Files(name: string) {
  const dir = join(tmp, name, 'package-fp32');
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f))]));
}

describe('training pipeline smoke run', () => {
  let sizes: { quantized_bytes: number; fp32_bytes: number; quantized_matmuls: { decoder: number } };
  beforeAll(() => {
    sizes = trainAndShip('run');
  }, 180_000);

  it('trains a tiny model, exports, quantizes, and the engine generates with it', { timeout: 180_000 }, async () => {
    const run = join(tmp, 'run');
    const data = join(tmp, 'eval');
    const log = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.some((r) => r.stage === 1)).toBe(true);
    expect(log.some((r) => r.stage === 2 && Number.isFinite(r.loss))).toBe(true);
    expect(log.some((r) => r.stage === '2b' && Number.isFinite(r.loss))).toBe(true);

    expect(sizes.quantized_bytes).toBeLessThan(sizes.fp32_bytes);
    expect(sizes.quantized_matmuls.decoder).toBeGreaterThan(0);

    python(['-m', 'gvt.make_eval_set', '--out', data, '--n', '4', '--seed', '5']);
    const q = JSON.parse(readFileSync(join(data, 'questions.jsonl'), 'utf8').split('\n')[0]);
    for (const dir of [join(tmp, 'run-pkg'), join(run, 'package-fp32')]) {
      const engine = await loadEngine(dir);
      try {
        expect(engine.manifest.image.size).toBe(64);
        // The quantized package's vision graph in integer arithmetic is what WASM (here: Node) loads.
        const vision = engine.engine.parts().info.files.filter((f) => f.file.startsWith('vision'));
        expect(vision.map((f) => f.file)).toEqual([dir.endsWith('-pkg') ? 'vision_encoder_int8.onnx' : 'vision_encoder.onnx']);
        const { tokens: visual } = await engine.vision.encode(await readPng(join(data, q.image)));
        expect(visual.length).toBe(32 * 64);
        expect(visual.every(Number.isFinite)).toBe(true);
        const answer = await engine.llm.answer('smoke', visual, q.question, { ...GREEDY, maxNewTokens: 6 });
        expect(['eos', 'stop_string', 'max_tokens']).toContain(answer.stats.stopReason);
        expect(answer.stats.prefillTokens).toBeGreaterThan(32);
        expect(typeof answer.text).toBe('string');
      } finally {
        await engine.release();
      }
    }
  });

  it('gives the same graphs for the same seed: rerun, from the saved clean stage 1, or stopped and run again', { timeout: 500_000 }, () => {
    const first = fp32Files('run');
    expect(Object.keys(first)).toContain('vision_encoder.onnx');
    trainAndShip('rerun');
    expect(fp32Files('rerun')).toEqual(first);
    trainAndShip('from-clean', ['--stage1', join(tmp, 'run', 'stage1-clean.pt')]);
    expect(fp32Files('from-clean')).toEqual(first);
    trainAndShip('stopped-after-stage1', [], ['--until', 'stage1']);
    expect(fp32Files('stopped-after-stage1')).toEqual(first);
    trainAndShip('stopped-in-stage1', [], ['--s1-stop-after', '2']);
    expect(readFileSync(join(tmp, 'stopped-in-stage1', 'log.jsonl'), 'utf8')).toContain('"resumed_at": 2');
    expect(fp32Files('stopped-in-stage1')).toEqual(first);
    trainAndShip('stopped-in-stage2', [], ['--s2-stop-after', '2']);
    expect(readFileSync(join(tmp, 'stopped-in-stage2', 'log.jsonl'), 'utf8')).toContain('"stage2_resumed"');
    expect(fp32Files('stopped-in-stage2')).toEqual(first);
  });

  it('goes on inside stage 2 after the grammar gained a word since its checkpoint', { timeout: 180_000 }, () => {
    // The checkpoint is made to look as if taken before the grammar had its last word: that word's
    // rows (weights and AdamW moments) removed, as an older grammar's run would have saved them.
    const run = join(tmp, 'grown');
    python(['-m', 'gvt.train', '--run', run, ...TINY, '--s2-stop-after', '2']);
    const word = python(['-c', `
import sys, torch
path = sys.argv[1] + "/stage2-ckpt.pt"
ck = torch.load(path)
vocab = ck["vocab"]
word = max(vocab, key=vocab.get)
row = vocab.pop(word)
cut = lambda t: torch.cat([t[:row], t[row + 1:]])
for key in ("lm.embed.weight", "lm.head.weight"):
    ck["model"][key] = cut(ck["model"][key])
for state in ck["opt"]["state"].values():
    for key, value in state.items():
        if torch.is_tensor(value) and value.dim() == 2 and value.shape[0] == row + 1 + 4:
            state[key] = cut(value)
torch.save(ck, path)
print(word)`, run]).trim();
    python(['-m', 'gvt.train', '--run', run, ...TINY]);
    const log = readFileSync(join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.find((r) => r.phase === 'vocab_grown')?.new_words).toEqual([word]);
    expect(log.find((r) => r.phase === 'stage2_resumed')?.step).toBe(2);
    expect(log.some((r) => r.phase === 'trained')).toBe(true);
  });

  it('trains stage 2 on the frozen ViT run batch by batch as on its cached tokens', { timeout: 180_000 }, () => {
    // --s2-live-features: no cache to rebuild when stage 2 goes on on another machine.
    trainAndShip('live', ['--s2-live-features', '--stage1', join(tmp, 'run', 'stage1-clean.pt')]);
    const losses = (name: string) =>
      readFileSync(join(tmp, name, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.stage === 2 || r.stage === '2b');
    const cached = losses('run');
    const live = losses('live');
    expect(readFileSync(join(tmp, 'live', 'log.jsonl'), 'utf8')).not.toContain('features_cached');
    expect(live.map((r) => [r.stage, r.step])).toEqual(cached.map((r) => [r.stage, r.step]));
    live.forEach((r, i) => expect(r.loss).toBeCloseTo(cached[i].loss, 2));
  });

  it('goes on at a larger input from a stage 1 trained at a smaller one', { timeout: 180_000 }, async () => {
    // The shipped recipe: the clean scenes learnt at 112 px (the committed stage 1), the rest at 160 px, the
    // patch positions resized between. Here from a given clean stage 1, and from scratch with --s1-clean-size.
    trainAndShip('larger', ['--image-size', '96', '--stage1', join(tmp, 'run', 'stage1-clean.pt')]);
    trainAndShip('larger-scratch', ['--image-size', '96', '--s1-clean-size', '64']);
    const positions = python(['-c', `import torch; print(torch.load("${join(tmp, 'larger-scratch', 'stage1-clean.pt')}")["vit"]["pos"].shape[1])`]);
    expect(Number(positions.trim())).toBe((64 / 8) ** 2 + 1);
    for (const name of ['larger-pkg', 'larger-scratch-pkg']) {
      const engine = await loadEngine(join(tmp, name));
      try {
        expect(engine.manifest.image.size).toBe(96);
        const { tokens } = await engine.vision.encode(await readPng(join(tmp, 'eval', 'images', readdirSync(join(tmp, 'eval', 'images'))[0])));
        expect(tokens.every(Number.isFinite)).toBe(true);
      } finally {
        await engine.release();
      }
    }
  });
});
