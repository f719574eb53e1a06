import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './paths';

/**
 * Tiny random-weight stand-ins for the Hub repos the app downloads
 * (`{owner}/{name}/...` in the real layouts) and `fixtures.json` listing each
 * file's size and sha256; built by tools/hub_fixtures (see its README.md).
 */
export const HUB_FIXTURES = fileURLToPath(new URL('../fixtures/generated/hub/', import.meta.url));

export interface HubFixtureFile {
  path: string;
  size: number;
  sha256: string;
}

export interface HubFixtures {
  generator: string;
  repos: Record<string, { files: HubFixtureFile[]; total_size: number }>;
}

/** Hash of the Python sources that make the fixtures: a change rebuilds them. */
function sourceHash(): string {
  const dir = join(ROOT, 'tools', 'hub_fixtures');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.py')).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest('hex');
}

/** Builds the fixtures unless the stamp says they match the sources; returns `fixtures.json`. */
export function buildHubFixtures(): HubFixtures {
  const stamp = join(HUB_FIXTURES, '.source-hash');
  const manifest = join(HUB_FIXTURES, 'fixtures.json');
  const hash = sourceHash();
  if (!(existsSync(stamp) && existsSync(manifest) && readFileSync(stamp, 'utf8') === hash)) {
    rmSync(HUB_FIXTURES, { recursive: true, force: true });
    mkdirSync(HUB_FIXTURES, { recursive: true });
    execFileSync('/usr/bin/python3', ['-m', 'hub_fixtures.make_hub_fixtures', '--out', HUB_FIXTURES], {
      cwd: ROOT,
      stdio: 'inherit',
      // tools/ holds the hub_fixtures package, training/ the gvt package it uses.
      env: { ...process.env, PYTHONPATH: [join(ROOT, 'tools'), join(ROOT, 'training')].join(delimiter), OMP_NUM_THREADS: '2' },
    });
    writeFileSync(stamp, hash);
  }
  return JSON.parse(readFileSync(manifest, 'utf8')) as HubFixtures;
}

export default function setup(): void {
  buildHubFixtures();
}
