/**
 * The tokenizer study in miniature (training/gvt/study): each pre-training
 * objective runs a few steps of a tiny ViT and its loss falls; the row then
 * goes through the study's stage 2, scoring and probes, and its package loads
 * in the TS engine and answers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GREEDY } from '../../src/engine/sampling';
import { loadEngine, readPng } from '../../src/node/node-engine';
import { ROOT } from '../support/paths';
import { trainingPython } from '../support/training-python';

const tmp = mkdtempSync(join(tmpdir(), 'gvt-study-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ARCH = '--image-size 64 --vit-width 32 --vit-layers 1 --vit-heads 2 --resampler-layers 1 --resampler-heads 2 --lm-width 64 --lm-layers 1 --lm-heads 2 --s2-batch 4';
const STEPS = 64;
const METHODS = ['supervised', 'clip', 'mae', 'dino', 'patch', 'gvt', 'eva'];

const python = (args: string[]) => trainingPython(args, 300_000);

function runRow(row: string) {
  python(['-m', 'gvt.study.row', row, '--root', tmp, '--results', join(tmp, 'results.json'), '--tokenizers', join(tmp, 'tokenizers'), '--arch', ARCH, '--pool', '96',
    '--pretrain-steps', String(STEPS), '--pretrain-batch', '8', '--log-every', '1', '--s2-images', '32', '--s2-steps', '4',
    '--n-per-task', '4', '--probe-images', '30', '--data-workers', '1', '--export', join(tmp, `${row}-pkg`)]);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('tokenizer study smoke runs', () => {
  it.each(METHODS)('%s: the pre-training loss falls and the row\'s package answers', { timeout: 400_000 }, async (method) => {
    runRow(method);
    const log = readFileSync(join(tmp, method, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const losses = log.filter((r) => r.phase === 'pretrain' && r.method === method).map((r) => r.loss as number);
    expect(losses).toHaveLength(STEPS);
    // Against the second quarter, not the first: DINO's loss rises while its teacher's outputs spread, then falls.
    const q = STEPS / 4;
    expect(mean(losses.slice(3 * q))).toBeLessThan(mean(losses.slice(q, 2 * q)));

    const rows = JSON.parse(readFileSync(join(tmp, 'results.json'), 'utf8')) as { row: string; n_per_task: number; ci95: Record<string, number[]> }[];
    const row = rows.find((r) => r.row === method)!;
    expect(row.n_per_task).toBe(4);
    expect(Object.keys(row.ci95).sort()).toEqual(['caption_exact', 'caption_f1', 'count', 'identify', 'probe_image', 'probe_patch', 'vqa']);

    // The model card states the row, for the model panel.
    expect(readFileSync(join(tmp, `${method}-pkg`, 'README.md'), 'utf8')).toContain(`row \`${method}\``);
    const engine = await loadEngine(join(tmp, `${method}-pkg`));
    try {
      const image = await readPng(join(ROOT, 'bench', 'scene.png'));
      const { tokens } = await engine.vision.encode(image);
      expect(tokens.length).toBe(32 * 64);
      const answer = await engine.llm.answer('smoke', tokens, 'How many circles are there in the image?', { ...GREEDY, maxNewTokens: 4 });
      expect(answer.stats.newTokens).toBeGreaterThan(0);
      expect(typeof answer.text).toBe('string');
    } finally {
      await engine.release();
    }
  });
});
