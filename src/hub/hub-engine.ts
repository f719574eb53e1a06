/**
 * A catalogue model from the Hub as a VlmEngine: its files are downloaded
 * (resuming, verified) into a FileStore, then run by HubVlm. Plain TypeScript:
 * the model worker builds it over Cache Storage, Node over a folder.
 */
import { applyOrientation } from '../engine/image';
import type { FileProgress } from '../engine/package';
import type { TaskRequest } from '../engine/prompt';
import type { Backend, Capabilities } from '../engine/runtime';
import {
  MissingImageError,
  type AnswerOptions,
  type DecodedImage,
  type DownloadPlan,
  type EngineAnswer,
  type ImageReport,
  type ModelInfo,
  type VlmEngine,
} from '../engine/vlm-engine';
import { deviceKind, hubFile, modelFiles, type HubModel } from './catalogue';
import { downloadFiles, planFiles } from '../files/download-list';
import { fitWarning } from './device-fit';
import type { FileStore } from '../files/file-store';
import { HubVlm, rawImage, type RuntimeFiles } from './hub-vlm';
import { answerLimit, florenceTaskToken, repetitionPenalty, taskQuestion, unsupportedReason } from './vlm-tasks';

/** Decoded images kept for follow-up questions (full size: few). */
const IMAGES_KEPT = 3;
const TASKS = ['caption', 'count', 'identify', 'vqa'] as const;

export interface HubEngineOptions {
  model: HubModel;
  /** Where `{repo}/resolve/{revision}/{file}` is fetched: the Hub, a mirror, or the app's own origin. */
  endpoint: string;
  store: FileStore;
  backend: Backend;
  capabilities: Capabilities;
  runtime: RuntimeFiles;
}

export class HubEngine implements VlmEngine {
  private vlm: HubVlm | null = null;
  private readonly images = new Map<string, DecodedImage>();

  constructor(private readonly o: HubEngineOptions) {}

  private targets() {
    const { model, endpoint, backend, capabilities } = this.o;
    const device = deviceKind(backend, capabilities.shaderF16);
    return { device, targets: modelFiles(model, device).map((file) => hubFile(model.id, file, { endpoint, revision: model.revision })) };
  }

  async plan(signal?: AbortSignal): Promise<DownloadPlan> {
    const { device, targets } = this.targets();
    const plans = await planFiles(targets, { store: this.o.store, signal });
    const files = plans.map(({ t, stored, remote }) => ({ file: t.file, bytes: stored?.size ?? remote?.size ?? 0, cached: stored !== null }));
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    const warning = fitWarning(this.o.model, device, this.o.capabilities, total);
    return { files, variant: device, loadsAtOnce: files.every((f) => f.cached), warning };
  }

  async load(onProgress: (progress: FileProgress) => void, signal?: AbortSignal): Promise<ModelInfo> {
    const start = performance.now();
    const { model, store, backend, capabilities, runtime } = this.o;
    const { device, targets } = this.targets();
    // The server is asked again for what `plan` showed: the user may press Download much later, and a revision like `main` moves.
    const stored = await downloadFiles(targets, { store, signal, onProgress: ({ file }) => onProgress(file) });
    const byFile = new Map(targets.map((t) => [t.file, t.url]));
    const files = async (path: string) => {
      const url = byFile.get(path);
      const hit = url ? await store.get(url) : null;
      // A handle on the stored bytes: transformers.js reads them once, with no copy of ours beside its own.
      return hit ? hit.blob() : null;
    };
    await this.release();
    this.vlm = await HubVlm.load(model, files, device, runtime);
    return {
      name: model.name,
      description: model.description,
      backend,
      capabilities,
      loadMs: performance.now() - start,
      defaultMaxNewTokens: answerLimit(model.architecture, 'caption'),
      domain: 'photos',
      unsupported: Object.fromEntries(TASKS.flatMap((task) => {
        const why = unsupportedReason(model.architecture, task);
        return why ? [[task, why]] : [];
      })),
      files: stored.map((f) => ({ file: f.file, bytes: f.size })),
      sceneCheck: null,
      card: null,
    };
  }

  async look(imageKey: string, image: DecodedImage): Promise<ImageReport> {
    this.images.delete(imageKey);
    this.images.set(imageKey, image);
    while (this.images.size > IMAGES_KEPT) this.images.delete(this.images.keys().next().value!);
    // The processors resize per question: nothing to encode ahead.
    return { encodeMs: null, sceneScore: null };
  }

  async answer(
    imageKey: string,
    image: DecodedImage | null,
    request: TaskRequest,
    options: AnswerOptions,
    onText: (delta: string) => void,
    signal?: AbortSignal,
  ): Promise<EngineAnswer> {
    if (!this.vlm) throw new Error('The model is not loaded yet.');
    if (image) await this.look(imageKey, image);
    const decoded = this.images.get(imageKey);
    if (!decoded) throw new MissingImageError(imageKey);
    const upright = applyOrientation(decoded.image, decoded.orientation);
    const { architecture } = this.o.model;
    const generation = {
      maxNewTokens: answerLimit(architecture, request.task, options.maxNewTokens),
      temperature: options.temperature,
      topP: options.topP,
      repetitionPenalty: repetitionPenalty(architecture),
    };
    const keyed = { key: imageKey, image: rawImage(upright.data, upright.width, upright.height) };
    const answer = await this.vlm.answer(keyed, request, generation, onText, signal);
    const prompt = architecture === 'florence2' ? florenceTaskToken(request.task) : taskQuestion(request);
    return { ...answer, prompt, task: request.task };
  }

  async release(): Promise<void> {
    const vlm = this.vlm;
    this.vlm = null;
    await vlm?.release();
  }
}
