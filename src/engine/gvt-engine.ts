/**
 * A GVT package as a VlmEngine: the image is encoded once by the vision
 * tokenizer, its visual tokens stay here (and its prefix KV cache in the
 * language model), so a follow-up question sends only the question.
 */
import { LanguageModel } from './language-model';
import { filesFor, visionRole, type ModelManifest } from './manifest';
import { readManifest, readPackageFile, readPackageJson, type PackageSource } from './package';
import { freePrompt, taskPrompt } from './prompt';
import type { Backend, Capabilities } from './runtime';
import { withArticle } from '../shapes-world/vocabulary';
import { GREEDY } from './sampling';
import { VisionTokenizer } from './vision';
import {
  MissingImageError,
  type AnswerOptions,
  type DecodedImage,
  type DownloadPlan,
  type EngineAnswer,
  type ImageReport,
  type ModelInfo,
  type VlmEngine,
} from './vlm-engine';
import type { FileProgress } from './package';
import type { TaskRequest } from './prompt';

/** Visual tokens kept per image: 32 × 128 floats each, so many images cost little. */
const IMAGES_KEPT = 32;

interface Seen {
  tokens: Float32Array;
  encodeMs: number;
}

interface Loaded {
  manifest: ModelManifest;
  vision: VisionTokenizer;
  llm: LanguageModel;
  info: ModelInfo;
}

export class GvtEngine implements VlmEngine {
  private loaded: Loaded | null = null;
  private readonly seen = new Map<string, Seen>();

  /** `cached(path)`: whether a file is already on this device (the browser's Cache Storage). */
  constructor(
    private readonly source: PackageSource,
    private readonly backend: Backend,
    private readonly capabilities: Capabilities,
    private readonly cached: (path: string, sha256: string) => Promise<boolean> = async () => false,
  ) {}

  async plan(): Promise<DownloadPlan> {
    const manifest = await readManifest(this.source);
    const files = await Promise.all(
      filesFor(manifest, this.backend.kind).map(async (f) => ({ file: f.path, bytes: f.bytes, cached: await this.cached(f.path, f.sha256) })),
    );
    // A package is small and served with the app: it loads without asking.
    return { files, variant: null, loadsAtOnce: true };
  }

  async load(onProgress: (progress: FileProgress) => void = () => {}): Promise<ModelInfo> {
    const start = performance.now();
    const source = this.source;
    const manifest = await readManifest(source);
    const [graph, embedTokens, decoder, tokenizerJson, tokenizerConfig, card] = await Promise.all([
      readPackageFile(source, manifest, visionRole(manifest, this.backend.kind), onProgress),
      readPackageFile(source, manifest, 'embed_tokens', onProgress),
      readPackageFile(source, manifest, 'decoder', onProgress),
      readPackageJson(source, manifest, 'tokenizer'),
      readPackageJson(source, manifest, 'tokenizer_config'),
      readCard(source),
    ]);
    await this.release();
    const vision = await VisionTokenizer.load(manifest, graph, this.backend);
    const llm = await LanguageModel.load(manifest, { embedTokens, decoder, tokenizerJson, tokenizerConfig }, this.backend);
    const info: ModelInfo = {
      name: manifest.name,
      description: manifest.description,
      backend: this.backend,
      capabilities: this.capabilities,
      loadMs: performance.now() - start,
      defaultMaxNewTokens: manifest.generation.max_new_tokens,
      domain: 'shapes-world',
      unsupported: {},
      files: filesFor(manifest, this.backend.kind).map((f) => ({ file: f.path, bytes: f.bytes })),
      sceneCheck: manifest.scene_check ? { threshold: manifest.scene_check.threshold, domain: manifest.scene_check.domain } : null,
      card,
    };
    this.loaded = { manifest, vision, llm, info };
    return info;
  }

  async look(imageKey: string, image: DecodedImage): Promise<ImageReport> {
    const { vision } = this.parts();
    const start = performance.now();
    const { tokens, sceneScore } = await vision.encode(image.image, image.orientation);
    const encodeMs = performance.now() - start;
    this.seen.delete(imageKey);
    this.seen.set(imageKey, { tokens, encodeMs });
    while (this.seen.size > IMAGES_KEPT) this.seen.delete(this.seen.keys().next().value!);
    return { encodeMs, sceneScore };
  }

  async answer(
    imageKey: string,
    image: DecodedImage | null,
    request: TaskRequest,
    options: AnswerOptions,
    onText: (delta: string) => void,
    signal?: AbortSignal,
  ): Promise<EngineAnswer> {
    const { manifest, llm } = this.parts();
    if (!this.seen.has(imageKey)) {
      if (!image) throw new MissingImageError(imageKey);
      await this.look(imageKey, image);
    }
    const { tokens, encodeMs } = this.seen.get(imageKey)!;
    // A typed-out task prompt counts as that task (its answer then shows as a number or Yes/No).
    const { prompt, request: asked, corrections } =
      request.task === 'vqa'
        ? freePrompt(manifest.tasks, request.question)
        : { prompt: taskPrompt(manifest.tasks, identifyWithArticle(request)), request, corrections: [] };
    const answer = await llm.answer(
      imageKey,
      tokens,
      prompt,
      {
        ...GREEDY,
        temperature: options.temperature,
        topP: options.topP,
        maxNewTokens: options.maxNewTokens ?? manifest.generation.max_new_tokens,
        seed: options.seed,
      },
      onText,
      signal,
    );
    return { ...answer, prompt, corrections, task: asked.task, encodeMs };
  }

  /** The loaded parts, for parity checks and the eval. */
  parts(): Loaded {
    if (!this.loaded) throw new Error('The model is not loaded yet.');
    return this.loaded;
  }

  async release(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    this.seen.clear();
    await loaded?.vision.release();
    await loaded?.llm.release();
  }
}

/** GVT's Identify template reads `Does {object} exist…`, and its object is asked with an article: `a red star`. */
function identifyWithArticle(request: TaskRequest): TaskRequest {
  return request.task === 'identify' ? { ...request, object: withArticle(request.object) } : request;
}

/** The package's README.md; a static host may answer a missing file with its index.html, which is no card. */
async function readCard(source: PackageSource): Promise<string | null> {
  try {
    const text = new TextDecoder().decode(await source.read('README.md'));
    return /^\s*<(!doctype|html)/i.test(text) ? null : text;
  } catch {
    return null;
  }
}
