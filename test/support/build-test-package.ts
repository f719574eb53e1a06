import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TEST_PACKAGE } from './paths';

/** The builder (tools/make_test_package.py), run with training/ on the path for the gvt package it uses. */
const BUILDER = join(ROOT, 'tools', 'make_test_package.py');

/** Hash of the Python sources that make the package (the builder and training/gvt): a change rebuilds it. */
function sourceHash(): string {
  const dir = join(ROOT, 'training', 'gvt');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.py')).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  hash.update('tools/make_test_package.py').update(readFileSync(BUILDER));
  return hash.digest('hex');
}

export default function setup(): void {
  const stamp = join(TEST_PACKAGE, '.source-hash');
  const hash = sourceHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  execFileSync('/usr/bin/python3', [BUILDER, '--out', TEST_PACKAGE, '--seed', '0'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, PYTHONPATH: join(ROOT, 'training'), OMP_NUM_THREADS: '2' },
  });
  writeFileSync(stamp, hash);
}
