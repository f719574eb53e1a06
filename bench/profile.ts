/**
 * npm run bench -- --profile [--model DIR --answers N --threads T]: where an answer's time
 * goes in headless Chromium on WASM (1 thread). The bench page, built
 * unminified with onnxruntime-web's readable build, answers N captions
 * (prefix prefill and decoding; images encoded before) under a Chromium trace
 * with V8's sampling profiler, page and worker; each sample is put down to
 * the source module its code came from (the `// path` lines an unminified build opens each module with).
 * Prints per thread ms per answer by part. Asserts nothing.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchRequest } from './bench-page';
import { benchImages } from './images';
import { serveBench } from './serve';
import { splitTrace, type TraceEvent } from './trace-split';
import { printTable } from '../scripts/markdown-table';
import { launchChromium } from '../test/support/browser';

const ROOT = resolve(import.meta.dirname, '..');

export async function profileAnswers(modelDir: string, answers: number, threads: number): Promise<void> {
  const images = benchImages(join(ROOT, 'bench/scene.png'), join(ROOT, 'public/samples'), join(ROOT, '.cache/bench-images'));
  const site = await serveBench(modelDir, images, {
    build: { minify: false },
    resolve: { alias: [{ find: /^onnxruntime-web$/, replacement: join(ROOT, 'node_modules/onnxruntime-web/dist/ort.mjs') }] },
  });
  const browser = await launchChromium({ webgpu: false });
  try {
    const page = await browser.newPage();
    await page.goto(`${site.base}bench/index.html`);
    await page.waitForFunction(() => document.title === 'bench ready');
    const request: BenchRequest = {
      packageUrl: '/models/bench/',
      imageUrls: site.imageUrls,
      backend: { kind: 'wasm', threads: threads },
      images: images.length,
      answers,
      warmup: 0,
      memoryAnswers: 0,
      maxNewTokens: 32,
    };
    type Hooks = { openBench(r: BenchRequest): Promise<void>; askBench(n: number): Promise<{ totalMs: number; tokens: number }> };
    await page.evaluate((r) => (window as unknown as Hooks).openBench(r), request);
    await browser.startTracing(page, {
      categories: ['disabled-by-default-v8.cpu_profiler', 'disabled-by-default-v8.cpu_profiler.hires', 'v8.execute', '__metadata'],
    });
    const traced = await page.evaluate((n) => (window as unknown as Hooks).askBench(n), answers);
    const trace = await browser.stopTracing();
    // Opens in Chrome DevTools' Performance panel.
    writeFileSync(join(ROOT, '.cache/bench-trace.json'), trace);
    const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents;

    const split = splitTrace(events);

    console.log(`\nTrace: .cache/bench-trace.json\n${answers} caption answers on WASM ${threads} thread(s), ${traced.tokens} tokens, ${traced.totalMs.toFixed(0)} ms in all (${(traced.totalMs / answers).toFixed(1)} ms an answer)\n`);
    for (const { thread, parts, functions, insideOrt } of split) {
      const total = [...parts.values()].reduce((x, y) => x + y, 0);
      if (total < 1 || !/DedicatedWorker|CrRendererMain/.test(thread)) continue;
      console.log(`\n${thread}: ${(total / answers).toFixed(1)} ms an answer sampled, ${(insideOrt / answers).toFixed(1)} ms of it inside onnxruntime (its JS and WASM)\n`);
      const rows = (m: Map<string, number>, n: number) =>
        [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, n).filter(([, v]) => v / total > 0.002).map(([k, v]) => [k, (v / answers).toFixed(2), `${((100 * v) / total).toFixed(1)} %`]);
      printTable(['part', 'ms an answer', 'share'], rows(parts, 20));
      if (/DedicatedWorker/.test(thread)) {
        console.log('');
        printTable(['function (self time)', 'ms an answer', 'share'], rows(functions, 15));
      }
    }
  } finally {
    await browser.close();
    await site.close();
  }
}
