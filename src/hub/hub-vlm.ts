/**
 * Runs a catalogue model with @huggingface/transformers (its processors and
 * model classes read the Hub repos' ONNX layout as published). Every file
 * comes from `files`: transformers.js never touches the network itself, so
 * what it loads is exactly what our downloader fetched, resumed and verified.
 * Plain TypeScript: runs in the worker and in Node tests.
 */
import {
  AutoModelForImageTextToText,
  AutoModelForVision2Seq,
  AutoProcessor,
  DynamicCache,
  Florence2ForConditionalGeneration,
  InterruptableStoppingCriteria,
  RawImage,
  TextStreamer,
  type PreTrainedModel,
  type Processor,
  type Tensor,
} from '@huggingface/transformers';
import type { Answer, StopReason } from '../engine/language-model';
import { externalDataFormat, type DeviceKind, type HubModel } from './catalogue';
import type { TaskRequest } from '../engine/prompt';
import type { Box } from '../engine/vlm-engine';
import { asFloat32, configureTransformers, type RepoFiles, type RuntimeFiles } from './transformers-env';
import { detectionAnswer, florenceTaskToken, parseFlorenceBoxes, taskQuestion, unsupportedReason } from './vlm-tasks';

export type { RepoFiles, RuntimeFiles } from './transformers-env';

export interface HubAnswer extends Answer {
  /** What the vision encoder took for this image (when it first saw it: later answers reuse the features). */
  encodeMs: number;
  /** Florence-2's detections, for Count and Identify. */
  boxes?: Box[];
}

export interface HubGenerationOptions {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  repetitionPenalty?: number;
}

/** An image and the key it is known by: a follow-up on the same key reuses what was made of it. */
export interface KeyedImage {
  key: string;
  image: RawImage;
}

/** What the processor and the vision encoder made of an image, kept for follow-ups. */
interface SeenImage {
  pixels: Promise<unknown> | null;
  features: Promise<Tensor> | null;
  /** The cache of the prompt up to the image's last token, keyed by those tokens. */
  prefix: { key: string; cache: Record<string, Tensor> } | null;
  /** What encoding it took, reported again with each answer from the kept features (as GVT-tiny's engine does). */
  encodeMs: number;
}

/** Images whose vision features are kept. */
const IMAGES_KEPT = 3;

type Callable = ((...args: unknown[]) => Promise<unknown>) & { config?: unknown };

export class HubVlm {
  private readonly seen = new Map<string, SeenImage>();

  private constructor(
    readonly model: HubModel,
    private readonly processor: Processor,
    private readonly network: PreTrainedModel,
    /** On WebGPU transformers.js keeps caches in GPU buffers and disposes those it replaces: no prefix is kept there. */
    private readonly keepsPrefix: boolean,
  ) {}

  /** `dtypes` picks the weight files (fp16 only on adapters with shader-f16); `runtime.device` where they run. */
  static async load(model: HubModel, files: RepoFiles, dtypes: DeviceKind, runtime: RuntimeFiles): Promise<HubVlm> {
    const loaded = configureTransformers(files, runtime);
    const options = {
      revision: model.revision,
      device: runtime.device,
      dtype: model.dtypes[dtypes],
      // From the catalogue, not the repo's config: the app fetched exactly these `.onnx_data` files.
      use_external_data_format: externalDataFormat(model, dtypes),
    };
    const processor = await AutoProcessor.from_pretrained(model.id, { revision: model.revision });
    const loader = {
      florence2: Florence2ForConditionalGeneration,
      smolvlm: AutoModelForVision2Seq,
      lfm2_vl: AutoModelForImageTextToText,
    }[model.architecture];
    const network = await loader.from_pretrained(model.id, options);
    loaded();
    return new HubVlm(model, processor, network as PreTrainedModel, runtime.device !== 'webgpu');
  }

  /**
   * What is kept of `key`'s image. Features are small and kept for IMAGES_KEPT images; the tiles (about 45 MB
   * for SmolVLM's 13) and the prefix cache (tens of MB with real weights) for the image asked about last only.
   */
  private seenImage(key: string): { entry: SeenImage; reused: boolean } {
    for (const [other, entry] of this.seen) {
      if (other !== key) Object.assign(entry, { pixels: null, prefix: null });
    }
    const kept = this.seen.get(key);
    if (kept) {
      this.seen.delete(key);
      this.seen.set(key, kept);
      return { entry: kept, reused: kept.features !== null || kept.prefix !== null };
    }
    const entry: SeenImage = { pixels: null, features: null, prefix: null, encodeMs: 0 };
    this.seen.set(key, entry);
    while (this.seen.size > IMAGES_KEPT) this.seen.delete(this.seen.keys().next().value!);
    return { entry, reused: false };
  }

  async answer(
    { key, image }: KeyedImage,
    request: TaskRequest,
    options: HubGenerationOptions,
    onToken: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<HubAnswer> {
    const unsupported = unsupportedReason(this.model.architecture, request.task);
    if (unsupported) throw new Error(unsupported);
    const started = performance.now();
    const { entry, reused } = this.seenImage(key);
    const florence = this.model.architecture === 'florence2';
    const restore = this.keepImageWork(entry);
    let output: Tensor;
    let promptLength = 0;
    let prefix = { length: 0, reused: false };
    let firstTokenAt = 0;
    const stopper = new InterruptableStoppingCriteria();
    const abort = () => stopper.interrupt();
    signal?.addEventListener('abort', abort);
    try {
      let inputs = florence ? await this.florenceInputs(image, request) : await this.chatInputs(image, request);
      if (!florence) promptLength = (inputs.input_ids as Tensor).dims.at(-1)!;
      if (!florence && this.keepsPrefix) ({ inputs, prefix } = await this.withPrefixCache(entry, inputs));
      const streamer = new TextStreamer(this.processor.tokenizer!, {
        skip_prompt: !florence,
        skip_special_tokens: true,
        callback_function: (text: string) => {
          if (text) onToken(text);
        },
        token_callback_function: () => {
          firstTokenAt ||= performance.now();
        },
      });
      output = (await this.network.generate({
        ...inputs,
        max_new_tokens: options.maxNewTokens,
        do_sample: options.temperature > 0,
        temperature: options.temperature > 0 ? options.temperature : undefined,
        top_p: options.topP,
        // Only when set: an undefined here would replace transformers.js' default of 1 and turn the logits into NaN.
        ...(options.repetitionPenalty ? { repetition_penalty: options.repetitionPenalty } : {}),
        streamer,
        stopping_criteria: stopper,
      } as Parameters<PreTrainedModel['generate']>[0])) as Tensor;
    } finally {
      signal?.removeEventListener('abort', abort);
      restore();
    }
    const ended = performance.now();

    const newIds = (output.tolist() as bigint[][])[0].slice(promptLength).map(Number);
    const tokenizer = this.processor.tokenizer!;
    // The model's own stop tokens: other special tokens (SmolVLM's <image>, reserved ones) are not an end.
    const eos = [this.network.generation_config?.eos_token_id ?? []].flat();
    const lastIsEos = eos.includes(newIds.at(-1) ?? -1);
    const stopReason: StopReason = signal?.aborted ? 'cancelled' : lastIsEos ? 'eos' : 'max_tokens';
    const firstTokenMs = (firstTokenAt || ended) - started;
    const stats = {
      prefixReused: prefix.reused,
      imageReused: reused,
      prefillTokens: promptLength - (prefix.reused ? prefix.length : 0),
      prefillMs: firstTokenMs,
      firstTokenMs,
      newTokens: newIds.length,
      decodeMs: ended - (firstTokenAt || ended),
      stopReason,
    };

    if (florence && (request.task === 'count' || request.task === 'identify')) {
      const raw = tokenizer.decode(newIds, { skip_special_tokens: false });
      const { text, found } = detectionAnswer(request, parseFlorenceBoxes(raw, image.width, image.height));
      return { text, tokenIds: newIds, stats, encodeMs: entry.encodeMs, boxes: found };
    }
    const text = tokenizer.decode(newIds, { skip_special_tokens: true }).trim();
    return { text, tokenIds: newIds, stats, encodeMs: entry.encodeMs };
  }

  /**
   * Makes the processor's tiling and the vision encoder's features of `entry`'s image happen once (a failure is
   * not kept), and float16 outputs float32. Returns what puts transformers.js back as it was.
   */
  private keepImageWork(entry: SeenImage): () => void {
    const network = this.network as PreTrainedModel & {
      encode_image(inputs: unknown): Promise<Tensor>;
      encode_text(inputs: unknown): Promise<Tensor>;
    };
    const [encodeImage, encodeText] = [network.encode_image.bind(network), network.encode_text.bind(network)];
    network.encode_image = (inputs: unknown) =>
      (entry.features ??= (async () => {
        const t0 = performance.now();
        const features = asFloat32(await encodeImage(inputs));
        entry.encodeMs = performance.now() - t0;
        return features;
      })().catch((error) => Promise.reject((entry.features = null, error))));
    network.encode_text = async (inputs: unknown) => asFloat32(await encodeText(inputs));
    const processor = this.processor as Processor & { components: { image_processor: Callable } };
    const imageProcessor = processor.components.image_processor;
    const keptPixels: Callable = (...args) => (entry.pixels ??= imageProcessor(...args).catch((error) => Promise.reject((entry.pixels = null, error))));
    keptPixels.config = imageProcessor.config;
    processor.components.image_processor = keptPixels;
    return () => {
      network.encode_image = encodeImage;
      network.encode_text = encodeText;
      processor.components.image_processor = imageProcessor;
    };
  }

  /**
   * The prompt up to its last image token is the same for every question about an image: its cache
   * (past_key_values) is made once, by a one-token generate over it, and each answer continues from a copy, so
   * only the question is prefilled. transformers.js then takes only the tokens past the cache and no pixels.
   */
  private async withPrefixCache(entry: SeenImage, inputs: Record<string, unknown>) {
    const ids = inputs.input_ids as Tensor;
    const row = Array.from(ids.data as BigInt64Array);
    const imageToken = BigInt((this.network.config as unknown as { image_token_id: number }).image_token_id);
    const length = row.lastIndexOf(imageToken) + 1;
    const key = row.slice(0, length).join(',');
    if (length === 0 || length === row.length) return { inputs, prefix: { length: 0, reused: false } };
    const reused = entry.prefix?.key === key;
    if (!reused) {
      const mask = inputs.attention_mask as Tensor;
      const head = { ...inputs, input_ids: ids.slice(null, [0, length]), attention_mask: mask.slice(null, [0, length]) };
      const { past_key_values } = (await this.network.generate({
        ...head,
        max_new_tokens: 1,
        do_sample: false,
        return_dict_in_generate: true,
      } as Parameters<PreTrainedModel['generate']>[0])) as unknown as { past_key_values: Record<string, Tensor> };
      entry.prefix = { key, cache: { ...past_key_values } };
    }
    const cache = new DynamicCache({ ...entry.prefix!.cache });
    return { inputs: { input_ids: ids, attention_mask: inputs.attention_mask, past_key_values: cache }, prefix: { length, reused } };
  }

  /** SmolVLM and LFM2-VL: the chat template around an image and the question, then the processor. */
  private async chatInputs(image: RawImage, request: TaskRequest): Promise<Record<string, unknown>> {
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: taskQuestion(request) }] }];
    const prompt = this.processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
    // The repos' own processing: splitting on (preprocessor_config.json), so a photo is 512 px tiles plus a global
    // view, as real weights were trained. Lfm2VlProcessor takes the images first, Idefics3Processor the text.
    const inputs = this.model.architecture === 'lfm2_vl' ? await this.processor(image, prompt) : await this.processor(prompt, [image]);
    return inputs as Record<string, unknown>;
  }

  private async florenceInputs(image: RawImage, request: TaskRequest): Promise<Record<string, unknown>> {
    const processor = this.processor as Processor & { construct_prompts(text: string): string[] };
    const prompts = processor.construct_prompts(florenceTaskToken(request.task));
    return (await this.processor(image, prompts)) as Record<string, unknown>;
  }

  async release(): Promise<void> {
    this.seen.clear();
    await this.network.dispose();
  }
}

/** RGBA pixels (as the worker decodes a user's file) to the RGB image the processors take. */
export function rawImage(data: Uint8ClampedArray | Uint8Array, width: number, height: number): RawImage {
  return new RawImage(data, width, height, 4).rgb();
}
