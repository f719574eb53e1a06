/**
 * npm run eval:suite -- [--model DIR]... [--n N] [--seed S] [--sets a,b,…] [--json]
 *
 * Every kind of evaluation set, each model on each, one table: what the
 * README's results tables hold, from one command. Sets are made on first use
 * into .cache/eval-sets/ (by `npm run eval:make`, and `npm run eval:canvas`
 * for the canvas ones) and reused after, so models compared run on the same
 * questions. Sets: clean, paraphrase (held-out phrasings), photo, half and
 * double (object sizes ×0.5 and ×2), wide and tall (16:9 and 3:4 canvases),
 * claims (Yes/No checks: "is the star yellow?", "are there 3 circles?"),
 * canvas and canvas-photo (the clean set's scenes redrawn by Chromium's
 * canvas), fresh (the canvas set's scenes asked in frames from neither part of
 * the grammar: training/gvt/fresh_probe.py). Size-, aspect-, claim- and canvas
 * sets have N/5 questions; fresh about three for each of the canvas set's scenes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluatePackage } from '../src/eval/evaluate';
import { ROOT } from '../test/support/paths';
import { printTable } from './markdown-table';

interface SetKind {
  /** `npm run eval:make` options; or, for a canvas set, the set it redraws and eval:canvas's options; or the set whose scenes fresh_probe asks about. */
  make?: string[];
  redraw?: { from: string; options: string[] };
  probe?: { from: string };
  /** Its questions as a share of --n. */
  share: number;
}

const SETS: Record<string, SetKind> = {
  clean: { make: [], share: 1 },
  paraphrase: { make: ['--paraphrase'], share: 1 },
  photo: { make: ['--photo'], share: 1 },
  half: { make: ['--scale', '0.5'], share: 0.2 },
  double: { make: ['--scale', '2'], share: 0.2 },
  wide: { make: ['--aspect', '0.5625'], share: 0.2 },
  tall: { make: ['--aspect', '1.333'], share: 0.2 },
  claims: { make: ['--claims'], share: 0.2 },
  canvas: { redraw: { from: 'clean-small', options: [] }, share: 0.2 },
  'canvas-photo': { redraw: { from: 'clean-small', options: ['--photo'] }, share: 0.2 },
  fresh: { probe: { from: 'canvas' }, share: 0.2 },
};

const run = (command: string, args: string[], env = process.env) =>
  execFileSync(command, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });

/** The folder of a set, made first if it is not there yet. */
function ensureSet(name: string, n: number, seed: number): string {
  const dir = join(ROOT, '.cache', 'eval-sets', `${name}-n${n}-s${seed}`);
  if (existsSync(join(dir, 'questions.jsonl'))) return dir;
  const kind = name === 'clean-small' ? { make: [], share: 1 } : SETS[name];
  if (kind.probe) {
    const from = ensureSet(kind.probe.from, n, seed);
    run('/usr/bin/python3', ['-m', 'gvt.fresh_probe', '--from', from, '--out', dir], { ...process.env, PYTHONPATH: 'training' });
  } else if (kind.redraw) {
    const from = ensureSet(kind.redraw.from, n, seed);
    run('npx', ['tsx', 'scripts/eval-canvas.ts', '--from', from, '--out', dir, '--seed', String(seed), ...kind.redraw.options]);
  } else {
    run('npm', ['run', '--silent', 'eval:make', '--', '--out', dir, '--n', String(n), '--seed', String(seed), ...kind.make!]);
  }
  return dir;
}

const fixed = (x: number | null) => (x === null ? '-' : x.toFixed(3));

async function main() {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', multiple: true, default: ['public/models/gvt-tiny'] },
      n: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '31' },
      sets: { type: 'string', default: Object.keys(SETS).join(',') },
      json: { type: 'boolean', default: false },
    },
  });
  const n = Number(values.n);
  const seed = Number(values.seed);
  const names = values.sets.split(',');
  const unknown = names.filter((s) => !SETS[s]);
  if (unknown.length) throw new Error(`unknown set ${unknown.join(', ')}: the sets are ${Object.keys(SETS).join(', ')}`);

  const rows: string[][] = [];
  const results: Record<string, Record<string, unknown>> = {};
  for (const name of names) {
    const size = Math.round(n * SETS[name].share);
    const dir = ensureSet(name, size, seed);
    for (const model of values.model) {
      const { report, sceneFlags } = await evaluatePackage(resolve(model), dir);
      const flagged = sceneFlags ? `${sceneFlags.flagged.length} of ${sceneFlags.images}` : '-';
      const questions = Object.values(report.n).reduce((a, b) => a + b, 0);
      rows.push([name, model, String(questions), fixed(report.count), fixed(report.identify), fixed(report.vqa), fixed(report.caption_exact), fixed(report.caption_f1), flagged]);
      (results[model] ??= {})[name] = { questions, ...report, scene_flagged: sceneFlags?.flagged.length ?? null };
      process.stderr.write(`${name} · ${model}: done\n`);
    }
  }
  printTable(['set', 'model', 'questions', 'count', 'identify', 'vqa', 'caption exact', 'caption F1', 'scenes flagged'], rows);
  if (values.json) console.log(JSON.stringify(results));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
