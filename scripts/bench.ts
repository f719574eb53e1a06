/**
 * npm run bench [-- --model DIR --image PNG]: the app's workers in headless
 * Chromium, per backend (WASM 1 thread, WASM 2 threads, WebGPU). Prints
 * figures; asserts nothing about speed.
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { printTable } from './markdown-table';
import { build, preview } from 'vite';
import type { Backend } from '../src/engine/runtime';
import type { BenchRequest, BenchResult } from '../bench/bench-page';
import { launchChromium } from '../test/support/browser';

const ROOT = resolve(import.meta.dirname, '..');
const defaultModel = join(ROOT, 'public/models/gvt-tiny');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: existsSync(join(defaultModel, 'manifest.json')) ? defaultModel : join(ROOT, 'test/fixtures/generated/test-package') },
    image: { type: 'string' },
    'max-new-tokens': { type: 'string', default: '32' },
    'follow-ups': { type: 'string', default: '3' },
  },
});
const modelDir = resolve(values.model!);
const imagePath = resolve(values.image ?? join(ROOT, 'bench/scene.png'));
if (!existsSync(join(modelDir, 'manifest.json'))) throw new Error(`No model package at ${modelDir} (no manifest.json). Pass --model DIR.`);
if (!existsSync(imagePath)) throw new Error(`No image at ${imagePath}. Pass --image FILE.`);

const outDir = join(ROOT, '.cache', 'bench-build');
rmSync(outDir, { recursive: true, force: true });
await build({ root: ROOT, logLevel: 'warn', build: { outDir, rollupOptions: { input: join(ROOT, 'bench/index.html') } } });
cpSync(modelDir, join(outDir, 'models/bench'), { recursive: true });
cpSync(imagePath, join(outDir, 'bench-image.png'));
const server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
const base = server.resolvedUrls!.local[0];

const backends: Backend[] = [
  { kind: 'wasm', threads: 1 },
  { kind: 'wasm', threads: 2 },
  { kind: 'webgpu', threads: 1 },
];
const results: (BenchResult | { backend: Backend; error: string })[] = [];
const browser = await launchChromium({ webgpu: true, extraArgs: ['--enable-blink-features=ForceEagerMeasureMemory'] });
try {
  for (const backend of backends) {
    const page = await browser.newPage();
    await page.goto(`${base}bench/index.html`);
    await page.waitForFunction(() => document.title === 'bench ready');
    const request: BenchRequest = {
      packageUrl: '/models/bench/',
      imageUrl: '/bench-image.png',
      backend,
      questions: ['Describe the image in detail in a sentence: This is an image of', 'How many objects are there in the image?'],
      maxNewTokens: Number(values['max-new-tokens']),
      followUps: Number(values['follow-ups']),
    };
    try {
      const result = await page.evaluate((r) => (window as unknown as { runBench(r: BenchRequest): Promise<BenchResult> }).runBench(r), request);
      if (result.backend.kind !== backend.kind || result.backend.threads !== backend.threads) {
        results.push({ backend, error: `ran on ${result.backend.kind} ×${result.backend.threads} instead` });
      } else results.push(result);
    } catch (error) {
      results.push({ backend, error: (error as Error).message.split('\n')[0] });
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}

const name = (b: Backend) => (b.kind === 'webgpu' ? 'WebGPU' : `WASM ${b.threads} thread${b.threads > 1 ? 's' : ''}`);
const fmt = (v: number | null, digits = 0) => (v === null ? 'n/a' : v.toFixed(digits));
const header = ['backend', 'load ms', 'encode ms', 'prefill tok/s', 'decode tok/s', 'TTFT first ms', 'TTFT follow-up ms', 'encode while answering ms', 'peak JS heap MB'];
const rows = results.map((r) =>
  'error' in r
    ? [name(r.backend), `failed: ${r.error}`, '', '', '', '', '', '', '']
    : [
        name(r.backend),
        fmt(r.loadMs),
        fmt(r.encodeMs, 1),
        `${fmt(r.prefillTokensPerS)} (${r.prefillTokens} tok)`,
        `${fmt(r.decodeTokensPerS)} (${r.decodeTokens} tok)`,
        fmt(r.firstTtftMs),
        fmt(r.followUpTtftMs),
        fmt(r.encodeDuringAnswerMs, 1),
        fmt(r.peakHeapMB, 1),
      ],
);
console.log(`\nGVT Web benchmark — model ${modelDir}, image ${imagePath}, headless Chromium (${process.platform}, SwiftShader WebGPU when no GPU)\n`);
printTable(header, rows);
