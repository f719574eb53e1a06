/**
 * The one measurement protocol of `npm run bench`, run the same way on every
 * backend: in the browser through the app's client and worker, in Node on the
 * engine directly (onnxruntime-web's WASM, or onnxruntime-node as the native
 * reference). Cold first use is kept apart from warm medians.
 */
import type { GenerationStats } from '../src/engine/language-model';
import type { TaskRequest } from '../src/engine/prompt';

export interface Asked {
  /** Wall ms from the call to the first text shown. */
  ttftMs: number;
  /** Wall ms from the call to the answer in hand (the digit shown, for a count). */
  totalMs: number;
  text: string;
  stats: GenerationStats;
}

export interface Memory {
  jsHeapMB: number | null;
  wasmMB: number | null;
}

/** One backend as the protocol drives it; images are named by their index in the bench's image list. */
export interface Target {
  /** The model loaded from nothing (the onnxruntime build compiled, the sessions made). */
  load(): Promise<number>;
  /** Reads an image ahead of questions, as the app does on upload; the encoder's own ms. */
  look(key: string, image: number): Promise<number>;
  ask(key: string, image: number, request: TaskRequest, maxNewTokens: number): Promise<Asked>;
  memory(): Promise<Memory>;
}

export interface ProtocolOptions {
  images: number;
  /**
   * Rounds before anything warm is measured, each a new image looked at, captioned and counted:
   * V8 starts WebAssembly in its baseline compiler and tiers hot functions up as they run, and a
   * decoding step took 3 ms in the first answers and 0.5 after ten (Node WASM, README).
   */
  warmup: number;
  /** First questions (each on a new image) and their follow-ups; at least 5 for medians. */
  answers: number;
  /** Answers in a row between the two memory readings (0: no memory loop). */
  memoryAnswers: number;
  maxNewTokens: number;
}

export interface Figures {
  encode_ms: number | null;
  prefill_tok_s: number | null;
  decode_tok_s: number | null;
  ttft_ms: number | null;
  followup_ttft_ms: number | null;
  count_answer_ms: number | null;
}

export interface BenchRun extends Figures {
  cold: { load_ms: number; encode_ms: number; ttft_ms: number };
  /** Wall ms of a new image looked at while an answer is written (a live camera's next frame): the one worker interleaves them. */
  encode_while_answering_ms: number;
  samples: { encodes: number; answers: number; decode_tokens: number; prefill_tokens: number };
  memory: { start: Memory; end: Memory; answers: number } | null;
  /** Every greedy answer's text by question (`cold`, `first-0`, `follow-up-0`, `count-0`…): backends are compared on them. */
  texts: Record<string, string>;
}

export const CAPTION: TaskRequest = { task: 'caption' };
export const COUNT: TaskRequest = { task: 'count', object: 'objects' };
export const FOLLOW_UP: TaskRequest = { task: 'vqa', question: 'Is there a red circle?' };

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

export async function runProtocol(target: Target, o: ProtocolOptions): Promise<BenchRun> {
  const texts: Record<string, string> = {};
  const loadMs = await target.load();
  const coldEncode = await target.look('cold', 0);
  const cold = await target.ask('cold', 0, CAPTION, o.maxNewTokens);
  texts.cold = cold.text;

  for (let i = 0; i < o.warmup; i++) {
    const image = 1 + (i % (o.images - 1));
    await target.look(`warmup-${i}`, image);
    await target.ask(`warmup-${i}`, image, CAPTION, o.maxNewTokens);
    await target.ask(`warmup-${i}`, image, COUNT, o.maxNewTokens);
  }

  // Warm encodes: every image but the cold one, each a new key (so a fresh encode).
  const encodes: number[] = [];
  for (let i = 1; i < o.images; i++) encodes.push(await target.look(`warm-${i}`, i));

  const firsts: Asked[] = [];
  const followUps: Asked[] = [];
  for (let i = 0; i < o.answers; i++) {
    // A first question on an image just looked at (its prefix is not cached yet), then a follow-up.
    const key = `warm-${1 + (i % (o.images - 1))}`;
    const first = await target.ask(key, 1 + (i % (o.images - 1)), CAPTION, o.maxNewTokens);
    const next = await target.ask(key, 1 + (i % (o.images - 1)), FOLLOW_UP, o.maxNewTokens);
    firsts.push(first);
    followUps.push(next);
    texts[`first-${i}`] = first.text;
    texts[`follow-up-${i}`] = next.text;
  }

  // A count question on a new image: sent, decoded, encoded, answered.
  const counts: Asked[] = [];
  for (let i = 0; i < o.answers; i++) {
    const count = await target.ask(`count-${i}`, i % o.images, COUNT, o.maxNewTokens);
    counts.push(count);
    texts[`count-${i}`] = count.text;
  }

  const answering = target.ask('warm-1', 1, CAPTION, o.maxNewTokens);
  const during = performance.now();
  await target.look('next-frame', 0);
  const encodeWhileAnswering = performance.now() - during;
  await answering;

  let memory: BenchRun['memory'] = null;
  if (o.memoryAnswers > 0) {
    const start = await target.memory();
    for (let i = 0; i < o.memoryAnswers; i++) {
      const image = i % Math.min(4, o.images);
      await target.ask(`memory-${image}`, image, i % 2 ? COUNT : CAPTION, o.maxNewTokens);
    }
    memory = { start, end: await target.memory(), answers: o.memoryAnswers };
  }

  const decoding = [...firsts, ...followUps].filter((a) => a.stats.newTokens >= 4);
  return {
    encode_ms: median(encodes),
    prefill_tok_s: median(firsts.map((a) => (a.stats.prefillTokens / a.stats.prefillMs) * 1000)),
    decode_tok_s: median(decoding.map((a) => (a.stats.newTokens / a.stats.decodeMs) * 1000)),
    ttft_ms: median(firsts.map((a) => a.ttftMs)),
    followup_ttft_ms: median(followUps.map((a) => a.ttftMs)),
    count_answer_ms: median(counts.map((a) => a.totalMs)),
    cold: { load_ms: loadMs, encode_ms: coldEncode, ttft_ms: cold.ttftMs },
    encode_while_answering_ms: encodeWhileAnswering,
    samples: {
      encodes: encodes.length,
      answers: firsts.length,
      decode_tokens: median(decoding.map((a) => a.stats.newTokens)) ?? 0,
      prefill_tokens: median(firsts.map((a) => a.stats.prefillTokens)) ?? 0,
    },
    memory,
    texts,
  };
}
