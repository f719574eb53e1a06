/**
 * The one interface for anything that answers questions about images: a GVT
 * package (gvt-engine.ts) or a Hub model run by transformers.js
 * (hub/hub-engine.ts). The model worker serves it and the client speaks it,
 * so the app never asks which kind of model it runs.
 */
import type { RgbaImage } from './image';
import type { Answer } from './language-model';
import type { TaskName } from './manifest';
import type { FileProgress } from './package';
import type { TaskRequest } from './prompt';
import type { Backend, Capabilities } from './runtime';
import type { Correction } from '../shapes-world/spelling';

/** A user's image as the engine reads it: RGBA pixels and the EXIF orientation still to apply. */
export interface DecodedImage {
  image: RgbaImage;
  orientation: number;
}

/** An object a detector found, in image pixels (Florence-2's Count and Identify). */
export interface Box {
  label: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** What the UI shows of a loaded model, whatever its kind. */
export interface ModelInfo {
  name: string;
  description: string;
  backend: Backend;
  capabilities: Capabilities;
  loadMs: number;
  /** Answer length when the user has not set one. */
  defaultMaxNewTokens: number;
  /** 'shapes-world': objects are picked from the Shapes World colours and shapes; 'photos': typed freely. */
  domain: 'shapes-world' | 'photos';
  /** Why a task cannot be asked of this model (absent: it can). */
  unsupported: Partial<Record<TaskName, string>>;
  /** Every file the model was read from, with its size. */
  files: { file: string; bytes: number }[];
  /** The package's scene check: an image scoring below `threshold` is not from `domain`. */
  sceneCheck: { threshold: number; domain: string } | null;
  /** The model card (the package's README.md), when it has one. */
  card: string | null;
}

/** What loading would download on this device, asked before the user starts it. */
export interface DownloadPlan {
  files: { file: string; bytes: number; cached: boolean }[];
  /** Which build of the weights this device gets (`wasm`, `webgpu-f16`), where a model has several. */
  variant: string | null;
  /** True when loading needs no go-ahead: the files are the app's own or already on the device. */
  loadsAtOnce: boolean;
  /** Why this device may not hold the model (memory, GPU buffer limits), said before the download; null when nothing is known against it. */
  warning?: string | null;
}

/** What the engine made of an image when it first saw it. */
export interface ImageReport {
  /** How long the vision encoder took (null where the model encodes only when asked). */
  encodeMs: number | null;
  /** The scene check's score (null: the model has none). */
  sceneScore: number | null;
}

export interface AnswerOptions {
  maxNewTokens?: number;
  temperature: number;
  topP: number;
  /** Seeds sampling, so the same seed and settings give the same answer. */
  seed?: number;
}

export interface EngineAnswer extends Answer {
  /** The exact prompt the model was given. */
  prompt: string;
  /** Words of a typed question read as other words (typos put right), in order. */
  corrections?: Correction[];
  /** The task answered: a typed question may turn out to be one of the model's task prompts. */
  task: TaskName;
  /** What the vision encoder took for this image. */
  encodeMs: number;
  boxes?: Box[];
}

/** The engine has not got this image (first question, or a restarted worker): send it along. */
export class MissingImageError extends Error {
  constructor(imageKey: string) {
    super(`The model has not seen image ${imageKey} yet.`);
    this.name = 'MissingImageError';
  }
}

export interface VlmEngine {
  plan(signal?: AbortSignal): Promise<DownloadPlan>;
  load(onProgress: (progress: FileProgress) => void, signal?: AbortSignal): Promise<ModelInfo>;
  /** Reads an image ahead of questions (GVT: encodes it and runs its scene check). */
  look(imageKey: string, image: DecodedImage): Promise<ImageReport>;
  /** `image` may be null once the engine has looked at `imageKey`; else MissingImageError. */
  answer(
    imageKey: string,
    image: DecodedImage | null,
    request: TaskRequest,
    options: AnswerOptions,
    onText: (delta: string) => void,
    signal?: AbortSignal,
  ): Promise<EngineAnswer>;
  release(): Promise<void>;
}
