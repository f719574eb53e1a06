import { spawnSync } from 'node:child_process';
import { ROOT } from './paths';

/** `python3 ARGS` with training/ on the path, as npm run train runs it; its stdout, or an error with both streams. */
export function trainingPython(args: string[], timeoutMs: number): string {
  const r = spawnSync('/usr/bin/python3', args, {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: 'training', OMP_NUM_THREADS: '2' },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (r.status !== 0) throw new Error(`python3 ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
