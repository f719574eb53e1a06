/**
 * npm run bench [-- --model DIR --image PNG --answers N --warmup N --runs native,node_wasm,wasm1,wasm2,webgpu --json]
 * (`--chromium-flags '--js-flags=…'` passes flags to Chromium, for experiments.)
 * npm run bench -- --profile [--answers N --threads T]: where an answer's time goes (bench/profile.ts)
 *
 * The same package and images, in one run: the app's client and worker in
 * headless Chromium per backend, and as references the app's engine in Node
 * on onnxruntime-web's WASM and on onnxruntime-node (native CPU), one thread.
 * Warm medians and cold first use apart (bench/protocol.ts). Prints figures;
 * asserts nothing about speed. `--json` ends with one JSON line.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import type { Backend } from '../src/engine/runtime';
import type { BenchRequest, BrowserRun } from '../bench/bench-page';
import { benchImages } from '../bench/images';
import type { BenchRun, ProtocolOptions } from '../bench/protocol';
import { profileAnswers } from '../bench/profile';
import { serveBench } from '../bench/serve';
import { jsonLine, NAMES, printReport, type Outcome, type RunName } from '../bench/report';
import { launchChromium } from '../test/support/browser';

const ROOT = resolve(import.meta.dirname, '..');
const defaultModel = join(ROOT, 'public/models/gvt-tiny');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: existsSync(join(defaultModel, 'manifest.json')) ? defaultModel : join(ROOT, 'test/fixtures/generated/test-package') },
    image: { type: 'string' },
    answers: { type: 'string' },
    warmup: { type: 'string', default: '20' },
    'memory-answers': { type: 'string', default: '100' },
    'max-new-tokens': { type: 'string', default: '32' },
    runs: { type: 'string', default: Object.keys(NAMES).join(',') },
    json: { type: 'boolean', default: false },
    'chromium-flags': { type: 'string', default: '' },
    profile: { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' },
  },
});
const modelDir = resolve(values.model!);
const imagePath = resolve(values.image ?? join(ROOT, 'bench/scene.png'));
if (!existsSync(join(modelDir, 'manifest.json'))) throw new Error(`No model package at ${modelDir} (no manifest.json). Pass --model DIR.`);
if (!existsSync(imagePath)) throw new Error(`No image at ${imagePath}. Pass --image FILE.`);
if (values.profile) {
  await profileAnswers(modelDir, Number(values.answers ?? 10), Number(values.threads));
  process.exit(0);
}
const wanted = values.runs!.split(',') as RunName[];
for (const name of wanted) if (!(name in NAMES)) throw new Error(`Unknown run ${name}: pick from ${Object.keys(NAMES).join(', ')}.`);

const images = benchImages(imagePath, join(ROOT, 'public/samples'), join(ROOT, '.cache/bench-images'));
const full: ProtocolOptions = {
  images: images.length,
  answers: Number(values.answers ?? 5),
  warmup: Number(values.warmup),
  memoryAnswers: Number(values['memory-answers']),
  maxNewTokens: Number(values['max-new-tokens']),
};
// SwiftShader runs WebGPU's shaders on the CPU, seconds an encode: one pass, to show it answers as native does.
const light: ProtocolOptions = { ...full, images: 2, answers: 1, memoryAnswers: 0, warmup: 0 };
const runs: Partial<Record<RunName, Outcome>> = {};
const log = (line: string) => console.error(line);

const run = promisify(execFile);
for (const name of ['native', 'node_wasm'] as const) {
  if (!wanted.includes(name)) continue;
  log(`bench: ${NAMES[name]}…`);
  try {
    const args = ['--import', 'tsx', join(ROOT, 'bench/node-reference.ts'), '--runtime', name === 'native' ? 'native' : 'wasm'];
    args.push('--model', modelDir, '--images', images.join(','), '--answers', `${full.answers}`, '--warmup', `${full.warmup}`, '--max-new-tokens', `${full.maxNewTokens}`);
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 24 });
    runs[name] = JSON.parse(stdout.trim().split('\n').at(-1)!) as BenchRun;
  } catch (error) {
    runs[name] = { error: (error as Error).message.split('\n').slice(0, 3).join(' ') };
  }
}

const browserRuns: [RunName, Backend, ProtocolOptions][] = [
  ['wasm1', { kind: 'wasm', threads: 1 }, full],
  ['wasm2', { kind: 'wasm', threads: 2 }, full],
  ['webgpu', { kind: 'webgpu', threads: 1 }, light],
];
if (browserRuns.some(([name]) => wanted.includes(name))) {
  const site = await serveBench(modelDir, images);
  const browser = await launchChromium({ webgpu: true, extraArgs: ['--enable-blink-features=ForceEagerMeasureMemory', ...values['chromium-flags']!.split(' ').filter(Boolean)] });
  try {
    for (const [name, backend, options] of browserRuns) {
      if (!wanted.includes(name)) continue;
      log(`bench: ${NAMES[name]}…`);
      const page = await browser.newPage();
      await page.goto(`${site.base}bench/index.html`);
      await page.waitForFunction(() => document.title === 'bench ready');
      const request: BenchRequest = {
        ...options,
        packageUrl: '/models/bench/',
        imageUrls: site.imageUrls,
        backend,
      };
      try {
        const result = await page.evaluate((r) => (window as unknown as { runBench(r: BenchRequest): Promise<BrowserRun> }).runBench(r), request);
        runs[name] =
          result.backend.kind === backend.kind && result.backend.threads === backend.threads
            ? result
            : { error: `ran on ${result.backend.kind} ×${result.backend.threads} instead` };
      } catch (error) {
        runs[name] = { error: (error as Error).message.split('\n')[0] };
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
}

console.log(`\nGVT Web benchmark — model ${modelDir}, ${images.length} images from ${imagePath} and public/samples (and mirrored), headless Chromium and Node ${process.version}, ${process.platform}`);
console.log(`Warm: ${full.images - 1} encodes of distinct images, ${full.answers} first questions (caption, ≤ ${full.maxNewTokens} tokens) each with a follow-up, ${full.answers} count questions on new images; WebGPU one pass of each.`);
printReport(runs);
if (values.json) console.log(jsonLine(runs));
