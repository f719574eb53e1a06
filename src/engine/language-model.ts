import { kvLayout, presentNames, type KvCache, type KvLayout } from './kv-cache';
import type { ModelManifest } from './manifest';
import { splitTemplate, type PromptParts } from './prompt';
import { createSession, ort, runExclusive, type Backend } from './runtime';
import { makeRng, sampleToken, type SamplingOptions } from './sampling';
import { TextStream } from './text-stream';
import { TextTokenizer } from './tokenizer';

export interface GenerationOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Seeds sampling; the same seed and settings give the same answer. */
  seed?: number;
}

export type StopReason = 'eos' | 'stop_string' | 'max_tokens' | 'cancelled';

export interface GenerationStats {
  /** True when the image prefix came from the cache, so only the question was prefilled. */
  prefixReused: boolean;
  /** True when the image's processed tiles and vision features came from an earlier question (Hub models: the prompt is prefilled again). */
  imageReused?: boolean;
  prefillTokens: number;
  prefillMs: number;
  /** From the call to the first token picked. */
  firstTokenMs: number;
  newTokens: number;
  decodeMs: number;
  stopReason: StopReason;
}

export interface Answer {
  text: string;
  tokenIds: number[];
  stats: GenerationStats;
}

export interface LanguageModelFiles {
  embedTokens: Uint8Array;
  decoder: Uint8Array;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
}

/** How many image prefixes stay cached: one per recent image, so switching back is instant too. */
const PREFIX_CACHE_SIZE = 4;

function int64(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new ort.Tensor('int64', data, dims);
}

/**
 * Token embeddings kept once computed: a row of the embedding graph depends on
 * its token id alone, so a decoding step looks its token up instead of running
 * a session. Bounded, for packages with a large vocabulary.
 */
const EMBEDDINGS_KEPT = 8192;

/**
 * Yields to the event loop so a worker can handle a Stop message between
 * steps. Not setTimeout(0): nested timers are clamped to 4 ms, which would
 * cap decoding near 250 tokens/s.
 */
const nextTask: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : (() => {
        const channel = new MessageChannel();
        const waiting: (() => void)[] = [];
        channel.port1.onmessage = () => waiting.shift()?.();
        return () =>
          new Promise<void>((resolve) => {
            waiting.push(resolve);
            channel.port2.postMessage(null);
          });
      })();

/**
 * How long decoding runs between yields: a Stop, or a camera's next frame, waits at most this and
 * one step, where a yield a token cost a Chromium worker 20-60 µs of a step of under a millisecond.
 */
const YIELD_EVERY_MS = 4;

/** The decoder-only LLM with its KV cache, image-prefix cache and generation loop. */
export class LanguageModel {
  private readonly prefixes = new Map<string, KvCache>();
  private readonly embeddings = new Map<number, Float32Array>();
  private readonly parts: PromptParts;

  private constructor(
    private readonly manifest: ModelManifest,
    private readonly embedSession: ort.InferenceSession,
    private readonly decoderSession: ort.InferenceSession,
    private readonly kv: KvLayout,
    readonly tokenizer: TextTokenizer,
  ) {
    this.parts = splitTemplate(manifest.prompt.template);
  }

  static async load(manifest: ModelManifest, files: LanguageModelFiles, backend: Backend): Promise<LanguageModel> {
    const { layers, kv_heads: heads, head_dim: headDim, max_length: maxLength } = manifest.kv_cache;
    const embed = await createSession(files.embedTokens, backend);
    const decoder = await createSession(files.decoder, backend, presentNames(layers));
    const kv = kvLayout(decoder.outputNames, backend, { layers, heads, headDim, maxLength });
    const tokenizer = new TextTokenizer(files.tokenizerJson, files.tokenizerConfig, manifest.tokens.eos);
    return new LanguageModel(manifest, embed, decoder, kv, tokenizer);
  }

  /** The token ids around the visual tokens and of a question, as the engine feeds them. */
  promptIds(question: string): { beforeImage: number[]; afterImage: number[]; question: number[] } {
    return {
      beforeImage: this.tokenizer.encode(this.parts.beforeImage),
      afterImage: this.tokenizer.encode(this.parts.afterImage),
      question: this.tokenizer.encode(question + this.parts.afterQuestion),
    };
  }

  /**
   * Answers a question about an image. `visualTokens` may be null when the
   * image's prefix is cached (a follow-up question). Text streams through `onText`;
   * an aborted signal ends generation with what was produced so far.
   */
  async answer(
    imageKey: string,
    visualTokens: Float32Array | null,
    question: string,
    options: GenerationOptions,
    onText: (delta: string) => void = () => {},
    signal?: AbortSignal,
  ): Promise<Answer> {
    const start = performance.now();
    const ids = this.promptIds(question);
    if (ids.question.length === 0) throw new Error('The question is empty: type a question or pick a task.');

    const { count } = this.manifest.visual_tokens;
    const promptLength = ids.beforeImage.length + count + ids.afterImage.length + ids.question.length;
    const room = this.manifest.kv_cache.max_length - promptLength;
    if (room < 1) {
      throw new Error(
        `The question is too long for this model: it reads at most ${this.manifest.kv_cache.max_length} tokens and the prompt has ${promptLength}. Shorten the question.`,
      );
    }
    const maxNewTokens = Math.min(options.maxNewTokens, room);

    const cached = this.prefixes.get(imageKey);
    let prefix = cached;
    let prefillTokens = ids.question.length;
    if (prefix) {
      this.prefixes.delete(imageKey); // re-insert below: most recently used last
    } else {
      if (!visualTokens) throw new Error(`No visual tokens and no cached prefix for image ${imageKey}`);
      prefix = await this.prefillPrefix(ids.beforeImage, visualTokens, ids.afterImage);
      prefillTokens += prefix.length;
    }
    this.rememberPrefix(imageKey, prefix);

    const questionEmbeds = await this.embed(ids.question);
    let step = await this.forward(questionEmbeds, ids.question.length, prefix);
    const prefillMs = performance.now() - start;

    const rng = makeRng(options.seed ?? (Math.random() * 2 ** 32) >>> 0);
    const stream = new TextStream(this.manifest.tokens.stop_strings);
    const generated: number[] = [];
    let text = '';
    let firstTokenMs = 0;
    let stopReason: StopReason = 'max_tokens';
    const decodeStart = performance.now();
    let lastYield = decodeStart;
    try {
      while (generated.length < maxNewTokens) {
        if (signal?.aborted) {
          stopReason = 'cancelled';
          break;
        }
        const next = sampleToken(step.logits, options, generated, rng);
        if (generated.length === 0) firstTokenMs = performance.now() - start;
        if (next === this.tokenizer.eosId) {
          stopReason = 'eos';
          break;
        }
        generated.push(next);
        text = this.tokenizer.decode(generated);
        const delta = stream.push(text);
        if (delta) onText(delta);
        if (stream.stopped) {
          stopReason = 'stop_string';
          break;
        }
        if (generated.length === maxNewTokens) break;
        if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await nextTask();
          lastYield = performance.now();
        }
        const previous = step.kv;
        step = await this.forward(await this.embed([next]), 1, previous);
        if (previous !== prefix) previous.dispose();
      }
    } finally {
      if (step.kv !== prefix) step.kv.dispose();
    }
    const tail = stream.flush(text);
    if (tail) onText(tail);
    const cut = this.manifest.tokens.stop_strings.reduce((end, s) => {
      const at = text.indexOf(s);
      return at >= 0 ? Math.min(end, at) : end;
    }, text.length);
    return {
      text: text.slice(0, cut),
      tokenIds: generated,
      stats: {
        prefixReused: Boolean(cached),
        prefillTokens,
        prefillMs,
        firstTokenMs,
        newTokens: generated.length,
        decodeMs: performance.now() - decodeStart,
        stopReason,
      },
    };
  }

  clearPrefixes(): void {
    for (const kv of this.prefixes.values()) kv.dispose();
    this.prefixes.clear();
  }

  async release(): Promise<void> {
    this.clearPrefixes();
    await this.embedSession.release();
    await this.decoderSession.release();
  }

  private rememberPrefix(key: string, kv: KvCache): void {
    this.prefixes.set(key, kv);
    while (this.prefixes.size > PREFIX_CACHE_SIZE) {
      const [oldest, old] = this.prefixes.entries().next().value!;
      this.prefixes.delete(oldest);
      old.dispose();
    }
  }

  private async prefillPrefix(before: number[], visual: Float32Array, after: number[]): Promise<KvCache> {
    const { count, width } = this.manifest.visual_tokens;
    if (visual.length !== count * width) {
      throw new Error(`Expected ${count}×${width} visual token values, got ${visual.length}`);
    }
    const text = await this.embed([...before, ...after]);
    const embeds = new Float32Array((before.length + count + after.length) * width);
    embeds.set(text.subarray(0, before.length * width), 0);
    embeds.set(visual, before.length * width);
    embeds.set(text.subarray(before.length * width), (before.length + count) * width);
    const length = before.length + count + after.length;
    // The prefix's logits are never read, so they are not fetched.
    const outputs = await runExclusive(() => this.decoderSession.run(this.feeds(embeds, length, this.kv.empty()), this.kv.fetches));
    return this.kv.next(this.kv.empty(), outputs, length, true);
  }

  private async embed(ids: number[]): Promise<Float32Array> {
    const { width } = this.manifest.visual_tokens;
    if (this.embeddings.size + ids.length > EMBEDDINGS_KEPT) this.embeddings.clear();
    const missing = [...new Set(ids.filter((id) => !this.embeddings.has(id)))];
    if (missing.length > 0) {
      const outputs = await runExclusive(() => this.embedSession.run({ input_ids: int64(missing, [1, missing.length]) }));
      const rows = outputs.inputs_embeds.data as Float32Array;
      missing.forEach((id, i) => this.embeddings.set(id, rows.slice(i * width, (i + 1) * width)));
    }
    if (ids.length === 1) return this.embeddings.get(ids[0])!;
    const embeds = new Float32Array(ids.length * width);
    ids.forEach((id, i) => embeds.set(this.embeddings.get(id)!, i * width));
    return embeds;
  }

  /** One decoder call: returns the last position's logits and the grown KV cache. */
  private async forward(embeds: Float32Array, length: number, past: KvCache) {
    const outputs = await runExclusive(() => this.decoderSession.run(this.feeds(embeds, length, past), ['logits', ...this.kv.fetches]));
    const logits = outputs.logits;
    const vocab = logits.dims[2];
    const all = (await logits.getData()) as Float32Array;
    const last = all.slice((length - 1) * vocab, length * vocab);
    logits.dispose();
    return { logits: last, kv: this.kv.next(past, outputs, length, false) };
  }

  private feeds(embeds: Float32Array, length: number, past: KvCache): Record<string, ort.Tensor> {
    const total = past.length + length;
    return {
      inputs_embeds: new ort.Tensor('float32', embeds, [1, length, this.manifest.visual_tokens.width]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      position_ids: int64(Array.from({ length }, (_, i) => past.length + i), [1, length]),
      ...past.feeds(),
    };
  }
}
