/**
 * Runs in the browser under `npm run bench`: the app's own client and workers,
 * timed from the page as a user would feel them.
 */
import { ModelClient } from '../src/client/model-client';
import type { Backend } from '../src/engine/runtime';

export interface BenchRequest {
  packageUrl: string;
  imageUrl: string;
  backend: Backend;
  questions: [string, string];
  maxNewTokens: number;
  followUps: number;
}

export interface BenchResult {
  backend: Backend;
  loadMs: number;
  encodeMs: number;
  prefillTokens: number;
  prefillTokensPerS: number;
  decodeTokensPerS: number;
  decodeTokens: number;
  firstTtftMs: number;
  followUpTtftMs: number;
  /** A new image encoded while an answer is being written (a live camera's next frame): the one worker interleaves them. */
  encodeDuringAnswerMs: number;
  peakHeapMB: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function heapMB(): Promise<number | null> {
  const measure = (performance as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  if (!measure || !crossOriginIsolated) return null;
  return (await measure.call(performance)).bytes / 1e6;
}

async function run(request: BenchRequest): Promise<BenchResult> {
  const heap: number[] = [];
  const sample = async () => {
    const mb = await heapMB();
    if (mb !== null) heap.push(mb);
  };
  const client = new ModelClient();
  const loadStart = performance.now();
  const model = await client.load({ model: { kind: 'package', url: request.packageUrl }, backend: request.backend }).result;
  const loadMs = performance.now() - loadStart;
  await sample();

  const image = await (await fetch(request.imageUrl)).blob();
  const encodeMs = (await client.look('bench', image))?.encodeMs ?? NaN;

  const timed = async (question: string) => {
    const start = performance.now();
    let ttft = 0;
    const options = { maxNewTokens: request.maxNewTokens, temperature: 0, topP: 1 };
    const call = client.answer('bench', image, { task: 'vqa', question }, options, () => {
      if (!ttft) ttft = performance.now() - start;
    });
    const answer = await call.result;
    return { ttft: ttft || performance.now() - start, answer };
  };
  const first = await timed(request.questions[0]);
  await sample();
  const followUps = [];
  for (let i = 0; i < request.followUps; i++) followUps.push(await timed(request.questions[i % 2]));
  const answering = timed(request.questions[0]);
  const during = performance.now();
  await client.look('bench-next-frame', image);
  const encodeDuringAnswerMs = performance.now() - during;
  await answering;
  await sample();
  const decode = followUps.map((f) => f.answer.stats);
  return {
    backend: model.backend,
    loadMs,
    encodeMs,
    prefillTokens: first.answer.stats.prefillTokens,
    prefillTokensPerS: (first.answer.stats.prefillTokens / first.answer.stats.prefillMs) * 1000,
    decodeTokensPerS: median(decode.map((s) => (s.newTokens / s.decodeMs) * 1000)),
    decodeTokens: median(decode.map((s) => s.newTokens)),
    firstTtftMs: first.ttft,
    followUpTtftMs: median(followUps.map((f) => f.ttft)),
    encodeDuringAnswerMs,
    peakHeapMB: heap.length ? Math.max(...heap) : null,
  };
}

(window as unknown as { runBench: typeof run }).runBench = run;
document.title = 'bench ready';
