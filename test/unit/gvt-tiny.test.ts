/**
 * The shipped default model (public/models/gvt-tiny) on a fresh Shapes World
 * set that no training run has seen (made here with make_eval_set, seed 4242;
 * training uses seeds 0-999 and its own held-out seed), through the TS engine.
 * Each task must clear two floors, each about 2.5 standard errors below its
 * level at this sample size (100 questions a task):
 *  - TARGETS: the targets (count 0.97, identify 0.99, vqa 0.98,
 *    caption exact 0.90) less that margin.
 *  - SHIPPED: the level the shipped package measured on 6000 fresh questions
 *    (count 0.974, identify 0.994, vqa 0.996, caption exact 0.933, F1 0.986):
 *    a regression guard.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePackage, type EvalOutput } from '../../src/eval/evaluate';
import { ROOT } from '../support/paths';

const N = 400;
const SEED = 4242;
const TARGETS = { count: 0.93, identify: 0.96, vqa: 0.95, caption_exact: 0.82, caption_f1: 0.95 } as const;
const SHIPPED = { count: 0.93, identify: 0.97, vqa: 0.98, caption_exact: 0.87, caption_f1: 0.95 } as const;
const FLOORS = Object.fromEntries(
  Object.entries(TARGETS).map(([task, floor]) => [task, Math.max(floor, SHIPPED[task as keyof typeof TARGETS])]),
);

const tmp = mkdtempSync(join(tmpdir(), 'gvt-tiny-eval-'));
let result: EvalOutput;

beforeAll(async () => {
  const r = spawnSync('/usr/bin/python3', ['-m', 'gvt.make_eval_set', '--out', tmp, '--n', String(N), '--seed', String(SEED)], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: 'training', OMP_NUM_THREADS: '2' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`make_eval_set failed: ${r.stderr}`);
  result = await evaluatePackage(join(ROOT, 'public/models/gvt-tiny'), tmp);
}, 180_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('GVT-tiny on a fresh Shapes World set', () => {
  it('answers every question', () => {
    expect(result.answers.length).toBe(N);
  });
  it.each(Object.entries(FLOORS))('%s is at least %f', (task, floor) => {
    const score = result.report[task as keyof typeof TARGETS];
    const wrong = result.answers.filter((a) => !a.correct && (task.startsWith('caption') ? a.task === 'caption' : a.task === task)).slice(0, 5);
    expect(score, `${task} ${score}; e.g. ${JSON.stringify(wrong.map((a) => [a.question, a.output, a.answer]))}`).toBeGreaterThanOrEqual(floor);
  });
});
