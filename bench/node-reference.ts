/**
 * The Node references of `npm run bench`: the same package and images through
 * the app's engine (the same two-session loop the worker runs), on
 * onnxruntime-web's WASM (`--runtime wasm`) or on onnxruntime-node's native
 * CPU build (`--runtime native`), one thread. Prints one JSON line.
 */
import { register } from 'node:module';
import { parseArgs } from 'node:util';
import type { DecodedImage } from '../src/engine/vlm-engine';
import { runProtocol, type Target } from './protocol';

const { values } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'wasm' },
    model: { type: 'string' },
    images: { type: 'string' },
    answers: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '20' },
    'max-new-tokens': { type: 'string', default: '32' },
  },
});
if (values.runtime === 'native') register('./native-hooks.mjs', import.meta.url);
// Imported after the hooks, so that the engine's onnxruntime-web is the one chosen.
const { loadEngine, readPng } = await import('../src/node/node-engine');

const images: DecodedImage[] = await Promise.all(values.images!.split(',').map(async (p) => ({ image: await readPng(p), orientation: 1 })));
let engine: Awaited<ReturnType<typeof loadEngine>>;

const target: Target = {
  async load() {
    const start = performance.now();
    engine = await loadEngine(values.model!);
    return performance.now() - start;
  },
  async look(key, image) {
    return (await engine.engine.look(key, images[image])).encodeMs!;
  },
  async ask(key, image, request, maxNewTokens) {
    const start = performance.now();
    let ttftMs = 0;
    const answer = await engine.engine.answer(key, images[image], request, { maxNewTokens, temperature: 0, topP: 1 }, () => {
      ttftMs ||= performance.now() - start;
    });
    const totalMs = performance.now() - start;
    return { ttftMs: ttftMs || totalMs, totalMs, text: answer.text, stats: answer.stats };
  },
  async memory() {
    return { jsHeapMB: process.memoryUsage().heapUsed / 1e6, wasmMB: null };
  },
};

const run = await runProtocol(target, {
  images: images.length,
  answers: Number(values.answers),
  warmup: Number(values.warmup),
  memoryAnswers: 0,
  maxNewTokens: Number(values['max-new-tokens']),
});
await engine!.release();
console.log(JSON.stringify(run));
