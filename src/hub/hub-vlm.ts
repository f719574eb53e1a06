/**
 * Runs a catalogue model with @huggingface/transformers (its processors and
 * model classes read the Hub repos' ONNX layout as published). Every file
 * comes from `files`: transformers.js never touches the network itself, so
 * what it loads is exactly what our downloader fetched, resumed and verified.
 * Plain TypeScript: runs in the worker and in Node tests.
 */
import {
  AutoModelForVision2Seq,
  AutoProcessor,
  Florence2ForConditionalGeneration,
  InterruptableStoppingCriteria,
  RawImage,
  TextStreamer,
  env,
  type PreTrainedModel,
  type Processor,
  type Tensor,
} from '@huggingface/transformers';
import type { Answer, StopReason } from '../engine/language-model';
import type { DeviceKind, HubModel } from './catalogue';
import type { TaskRequest } from '../engine/prompt';
import type { Box } from '../engine/vlm-engine';
import { detectionAnswer, florenceTaskToken, parseFlorenceBoxes, taskQuestion, unsupportedReason } from './vlm-tasks';

/** A file of the model's repo by its path there (`onnx/decoder_model_merged_q4.onnx`), or null when the repo has none. */
export type RepoFiles = (path: string) => Promise<Blob | Uint8Array | null>;

export interface HubAnswer extends Answer {
  /** What the vision encoder took for this answer. */
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

export interface RuntimeFiles {
  /** Where transformers.js runs the graphs: the browser's backend, or `cpu` (onnxruntime-node) in Node. */
  device: 'webgpu' | 'wasm' | 'cpu';
  /** onnxruntime-web's asyncify build, served by the app itself (never a CDN: the app runs offline). */
  wasmPaths?: { mjs: string; wasm: string };
  threads?: number;
}

/** Any URL transformers.js asks for; only the part after `/resolve/{revision}/` matters. */
const ENDPOINT = 'https://hub.local/';

/** Returns a function that drops the reads kept for loading, once the sessions hold the graphs. */
function configureTransformers(files: RepoFiles, runtime: RuntimeFiles): () => void {
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = ENDPOINT;
  env.useBrowserCache = false;
  env.useFSCache = false;
  env.useWasmCache = false;
  // Files come through the cache interface, which transformers.js reads the same way in a worker and in Node.
  // It asks twice for each file it loads: keep the read until the second ask.
  const reads = new Map<string, Promise<Blob | Uint8Array | null>>();
  const read = (key: string) => {
    const path = decodeURIComponent(key.split('/resolve/')[1]?.split('/').slice(1).join('/') ?? '');
    if (!path) return Promise.resolve(null);
    const pending = reads.get(path) ?? files(path);
    reads.set(path, pending);
    return pending;
  };
  env.useCustomCache = true;
  env.customCache = {
    async match(key: string) {
      const body = await read(key);
      return body ? new Response(body as BodyInit) : undefined;
    },
    async put() {},
  };
  // What the cache has not got, the repo has not got either: never the network.
  env.fetch = async () => new Response('Entry not found', { status: 404 });
  const onnx = env.backends.onnx;
  if (onnx.wasm) {
    if (runtime.wasmPaths) onnx.wasm.wasmPaths = runtime.wasmPaths;
    if (runtime.threads) onnx.wasm.numThreads = runtime.threads;
  }
  return () => reads.clear();
}

export class HubVlm {
  private constructor(
    readonly model: HubModel,
    private readonly processor: Processor,
    private readonly network: PreTrainedModel,
  ) {}

  /** `dtypes` picks the weight files (fp16 only on adapters with shader-f16); `runtime.device` where they run. */
  static async load(model: HubModel, files: RepoFiles, dtypes: DeviceKind, runtime: RuntimeFiles): Promise<HubVlm> {
    const loaded = configureTransformers(files, runtime);
    const options = { revision: model.revision, device: runtime.device, dtype: model.dtypes[dtypes] };
    const processor = await AutoProcessor.from_pretrained(model.id, { revision: model.revision });
    const loader = model.architecture === 'florence2' ? Florence2ForConditionalGeneration : AutoModelForVision2Seq;
    const network = await loader.from_pretrained(model.id, options);
    loaded();
    return new HubVlm(model, processor, network as PreTrainedModel);
  }

  async answer(
    image: RawImage,
    request: TaskRequest,
    options: HubGenerationOptions,
    onToken: (text: string) => void,
    signal?: AbortSignal,
  ): Promise<HubAnswer> {
    const unsupported = unsupportedReason(this.model.architecture, request.task);
    if (unsupported) throw new Error(unsupported);
    const started = performance.now();
    let encodeMs = 0;
    const network = this.network as PreTrainedModel & { encode_image(inputs: unknown): Promise<unknown> };
    const encodeImage = network.encode_image.bind(network);
    network.encode_image = async (inputs: unknown) => {
      const t0 = performance.now();
      const features = await encodeImage(inputs);
      encodeMs += performance.now() - t0;
      return features;
    };

    const florence = this.model.architecture === 'florence2';
    const inputs = florence ? await this.florenceInputs(image, request) : await this.smolvlmInputs(image, request);
    const promptLength = florence ? 0 : (inputs.input_ids as Tensor).dims.at(-1)!;

    let firstTokenAt = 0;
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
    const stopper = new InterruptableStoppingCriteria();
    const abort = () => stopper.interrupt();
    signal?.addEventListener('abort', abort);
    let output: Tensor;
    try {
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
      network.encode_image = encodeImage;
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
      prefixReused: false,
      prefillTokens: promptLength,
      prefillMs: firstTokenMs,
      firstTokenMs,
      newTokens: newIds.length,
      decodeMs: ended - (firstTokenAt || ended),
      stopReason,
    };

    if (florence && (request.task === 'count' || request.task === 'identify')) {
      const raw = tokenizer.decode(newIds, { skip_special_tokens: false });
      const { text, found } = detectionAnswer(request, parseFlorenceBoxes(raw, image.width, image.height));
      return { text, tokenIds: newIds, stats, encodeMs, boxes: found };
    }
    const text = tokenizer.decode(newIds, { skip_special_tokens: true }).trim();
    return { text, tokenIds: newIds, stats, encodeMs };
  }

  private async smolvlmInputs(image: RawImage, request: TaskRequest): Promise<Record<string, unknown>> {
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: taskQuestion(request) }] }];
    const prompt = this.processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
    // The repo's own processing: splitting on (preprocessor_config.json), so a photo is 512 px tiles plus the global view, as real weights were trained.
    return (await this.processor(prompt, [image])) as Record<string, unknown>;
  }

  private async florenceInputs(image: RawImage, request: TaskRequest): Promise<Record<string, unknown>> {
    const processor = this.processor as Processor & { construct_prompts(text: string): string[] };
    const prompts = processor.construct_prompts(florenceTaskToken(request.task));
    return (await this.processor(image, prompts)) as Record<string, unknown>;
  }

  async release(): Promise<void> {
    await this.network.dispose();
  }
}

/** RGBA pixels (as the worker decodes a user's file) to the RGB image the processors take. */
export function rawImage(data: Uint8ClampedArray | Uint8Array, width: number, height: number): RawImage {
  return new RawImage(data, width, height, 4).rgb();
}
