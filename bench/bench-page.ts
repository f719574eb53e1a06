/**
 * Runs in the browser under `npm run bench`: the app's own client and worker,
 * timed from the page as a user feels them (the click to the text shown),
 * through the protocol every backend shares (protocol.ts).
 */
import { ModelClient } from '../src/client/model-client';
import type { Backend } from '../src/engine/runtime';
import { CAPTION, runProtocol, type BenchRun, type Memory, type ProtocolOptions, type Target } from './protocol';

export interface BenchRequest extends ProtocolOptions {
  packageUrl: string;
  imageUrls: string[];
  backend: Backend;
}

export interface BrowserRun extends BenchRun {
  backend: Backend;
}

// The app's model worker, started as the bench's copy of it (bench.worker.ts), which also reports WASM memory.
const AppWorker = Worker;
const benchWorker = () => new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'gvt-model' });
(globalThis as { Worker: unknown }).Worker = function (url: string | URL, options?: WorkerOptions) {
  return String(url).includes('model.worker') ? benchWorker() : new AppWorker(url, options);
};

async function jsHeapMB(): Promise<number | null> {
  const measure = (performance as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  if (!measure || !crossOriginIsolated) return null;
  return (await measure.call(performance)).bytes / 1e6;
}

function wasmMB(): Promise<number | null> {
  const channel = new BroadcastChannel('bench-memory');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 2000);
    channel.onmessage = (event: MessageEvent<{ wasmBytes?: number | null }>) => {
      if (typeof event.data !== 'object' || !('wasmBytes' in event.data)) return;
      clearTimeout(timer);
      channel.close();
      resolve(event.data.wasmBytes == null ? null : event.data.wasmBytes / 1e6);
    };
    new BroadcastChannel('bench-memory').postMessage('ask');
  });
}

async function run(request: BenchRequest): Promise<BrowserRun> {
  const images = await Promise.all(request.imageUrls.map(async (url) => (await fetch(url)).blob()));
  const client = new ModelClient();
  let backend = request.backend;
  const target: Target = {
    async load() {
      const start = performance.now();
      backend = (await client.load({ model: { kind: 'package', url: request.packageUrl }, backend: request.backend }).result).backend;
      return performance.now() - start;
    },
    async look(key, image) {
      const report = await client.look(key, images[image]);
      return report?.encodeMs ?? NaN;
    },
    async ask(key, image, task, maxNewTokens) {
      const start = performance.now();
      let ttftMs = 0;
      const answer = await client.answer(key, images[image], task, { maxNewTokens, temperature: 0, topP: 1 }, () => {
        ttftMs ||= performance.now() - start;
      }).result;
      const totalMs = performance.now() - start;
      return { ttftMs: ttftMs || totalMs, totalMs, text: answer.text, stats: answer.stats };
    },
    async memory(): Promise<Memory> {
      return { jsHeapMB: await jsHeapMB(), wasmMB: await wasmMB() };
    },
  };
  const result = await runProtocol(target, request);
  return { ...result, backend };
}

/** For bench:profile: a model loaded, with its first answer given and images looked at ahead of the traced answers. */
let profiled: { client: ModelClient; images: Blob[]; n: number } | null = null;
async function openBench(request: BenchRequest): Promise<void> {
  const images = await Promise.all(request.imageUrls.map(async (url) => (await fetch(url)).blob()));
  const client = new ModelClient();
  await client.load({ model: { kind: 'package', url: request.packageUrl }, backend: request.backend }).result;
  for (let i = 0; i < images.length; i++) await client.look(`profile-${i}`, images[i]);
  await client.answer('profile-0', images[0], CAPTION, { maxNewTokens: request.maxNewTokens, temperature: 0, topP: 1 }, () => {}).result;
  profiled = { client, images, n: request.maxNewTokens };
}

/** Captions on images looked at but not yet asked about (prefix prefill and decoding), one after another. */
async function askBench(answers: number): Promise<{ totalMs: number; tokens: number }> {
  const { client, images, n } = profiled!;
  const start = performance.now();
  let tokens = 0;
  for (let i = 0; i < answers; i++) {
    const key = `profile-${1 + (i % (images.length - 1))}`;
    tokens += (await client.answer(key, images[0], CAPTION, { maxNewTokens: n, temperature: 0, topP: 1 }, () => {}).result).stats.newTokens;
  }
  return { totalMs: performance.now() - start, tokens };
}

Object.assign(window, { runBench: run, openBench, askBench });
document.title = 'bench ready';
