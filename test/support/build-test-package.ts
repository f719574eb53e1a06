import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TEST_PACKAGE } from './paths';

/** Hash of the Python sources that make the package: a change rebuilds it. */
function sourceHash(): string {
  const dir = join(ROOT, 'training', 'gvt');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.py')).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest('hex');
}

export default function setup(): void {
  const stamp = join(TEST_PACKAGE, '.source-hash');
  const hash = sourceHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  execFileSync('/usr/bin/python3', ['-m', 'gvt.make_test_package', '--out', TEST_PACKAGE, '--seed', '0'], {
    cwd: join(ROOT, 'training'),
    stdio: 'inherit',
    env: { ...process.env, OMP_NUM_THREADS: '2' },
  });
  writeFileSync(stamp, hash);
}
