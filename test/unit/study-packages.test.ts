/**
 * The tokenizer study's three shipped packages (public/models/study/, listed in
 * src/study/packages.ts): each is the row of training/study/results.json it
 * claims to be. On one fresh clean set (template wording, 100 questions a task,
 * a seed no run has seen) through the TS engine with int8 weights, each task's
 * score lies within its row's 95 % interval widened by this sample's own
 * (2.5 standard errors): a package that drifted from its row fails.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateManifest } from '../../src/engine/manifest';
import { evaluatePackage, type EvalOutput } from '../../src/eval/evaluate';
import { STUDY_PACKAGES } from '../../src/study/packages';
import { ROOT } from '../support/paths';
import { trainingPython } from '../support/training-python';

type Task = 'count' | 'identify' | 'vqa' | 'caption_exact';
const TASKS: Task[] = ['count', 'identify', 'vqa', 'caption_exact'];
const N = 400;
const MAX_BYTES = 3 * 1024 * 1024;
interface Row extends Record<Task, number> {
  row: string;
  ci95: Record<Task, [number, number]>;
}
const ROWS: Row[] = JSON.parse(readFileSync(join(ROOT, 'training/study/results.json'), 'utf8'));

const tmp = mkdtempSync(join(tmpdir(), 'gvt-study-packages-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let set: string;
beforeAll(() => {
  set = join(tmp, 'clean');
  trainingPython(['-m', 'gvt.make_eval_set', '--out', set, '--n', String(N), '--seed', '4248'], 120_000);
}, 120_000);

describe.each(STUDY_PACKAGES)('$name', (pkg) => {
  const dir = join(ROOT, 'public', pkg.folder);
  const rowName = pkg.id.replace('study/', '');
  const row = ROWS.find((r) => r.row === rowName)!;
  let result: EvalOutput;
  beforeAll(async () => {
    result = await evaluatePackage(dir, set);
  }, 300_000);

  it('is the package the picker names, int8 within 3 MB, with a card stating its row', () => {
    const manifest = validateManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.name).toBe(pkg.name);
    const bytes = Object.values(manifest.files).reduce((sum, f) => sum + statSync(join(dir, f.path)).size, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(row, `results.json has no row ${rowName}`).toBeDefined();
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(`row \`${rowName}\``);
  });
  it('answers every question, and its scene check lets the scenes through', () => {
    expect(result.answers.length).toBe(N);
    // The spec allows 1 false alarm in 200 scenes: none in these 100.
    expect(result.sceneFlags!.flagged).toEqual([]);
  });
  it.each(TASKS)('%s scores within its row\'s interval', (task) => {
    const score = result.report[task];
    const [lo, hi] = row.ci95[task];
    const margin = 2.5 * Math.sqrt(Math.max(row[task] * (1 - row[task]), 0.01) / (N / 4));
    expect(score, `${task} ${score}; row ${row[task]} (${lo}-${hi})`).toBeGreaterThanOrEqual(lo - margin);
    expect(score).toBeLessThanOrEqual(hi + margin);
  });
});
