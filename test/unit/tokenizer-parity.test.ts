/**
 * The training tokenizer (training/gvt/tokenizer.py) and the app's
 * (@huggingface/tokenizers reading the exported tokenizer.json) must give the
 * same ids for every template, every word of the phrasing grammar and odd
 * input (unicode, emoji, capitals, special tokens glued to text): a mismatch
 * means the model reads in the app what it never saw in training.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { ROOT } from '../support/paths';

it('gives the same ids as the training tokenizer over every Shapes World text and odd strings', () => {
  const r = spawnSync('/usr/bin/python3', ['-m', 'gvt.check_tokenizer'], {
    cwd: `${ROOT}/training`,
    env: { ...process.env, OMP_NUM_THREADS: '2' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(/\b\d{3,} strings, 0 mismatches/);
});
