/**
 * The messages between the UI thread and the workers, defined once for both
 * sides. Each worker serves an API: a map from method to request and response.
 */
import type { FileProgress } from '../engine/package';
import type { ModelManifest } from '../engine/manifest';
import type { Answer, GenerationOptions } from '../engine/language-model';
import type { Backend, Capabilities } from '../engine/runtime';
import type { DeviceKind } from '../hub/catalogue';
import type { HubAnswer, HubGenerationOptions } from '../hub/vlm-engine';
import type { TaskRequest } from '../engine/prompt';

export interface LoadRequest {
  /** URL of the package folder, e.g. `/models/gvt-tiny/`. */
  packageUrl: string;
  backend?: Partial<Backend>;
}

export interface LoadResponse {
  manifest: ModelManifest;
  backend: Backend;
  capabilities: Capabilities;
  loadMs: number;
}

export type VisionApi = {
  load: { request: LoadRequest; response: LoadResponse };
  /** The file as the user gave it; the worker decodes it (EXIF orientation applied). */
  encode: { request: { image: Blob }; response: { tokens: Float32Array; sceneScore: number | null; encodeMs: number } };
}

export type LlmApi = {
  load: { request: LoadRequest; response: LoadResponse };
  generate: {
    request: { imageKey: string; visualTokens: Float32Array; question: string; options: GenerationOptions };
    response: Answer;
  };
};

export type Api = Record<string, { request: unknown; response: unknown }>;

export type WorkerRequest<A extends Api> =
  | { [M in keyof A & string]: { type: 'call'; id: number; method: M; payload: A[M]['request'] } }[keyof A & string]
  | { type: 'cancel'; id: number };

/** What a worker knows of an error, sent as data since Error objects lose their class across postMessage. */
export interface WorkerErrorInfo {
  name: string;
  message: string;
}

export type WorkerEvent =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: WorkerErrorInfo }
  | { type: 'progress'; id: number; progress: FileProgress }
  | { type: 'token'; id: number; text: string };

/**
 * The Cache Storage cache that holds downloaded package files (keyed by URL
 * and sha256), so a second visit loads the model offline and at once.
 */
export const MODEL_CACHE = 'gvt-web-models-v1';

export interface HubModelRequest {
  /** A catalogue id, e.g. `HuggingFaceTB/SmolVLM-256M-Instruct`. */
  modelId: string;
  /** Where `{repo}/resolve/{revision}/{file}` is fetched: the Hub, a mirror, or the app's own origin (booth mode). */
  endpoint: string;
  backend?: Partial<Backend>;
}

export interface HubFileSize {
  file: string;
  bytes: number;
  /** Already verified in Cache Storage: not downloaded again. */
  cached: boolean;
}

export interface HubLoadResponse {
  backend: Backend;
  capabilities: Capabilities;
  device: DeviceKind;
  loadMs: number;
}

export type HubApi = {
  /** What a download would fetch on this device, asked of the server before the user starts it. */
  sizes: { request: HubModelRequest; response: { device: DeviceKind; files: HubFileSize[] } };
  /** Downloads what is missing (resuming, verified), then loads the model. */
  load: { request: HubModelRequest; response: HubLoadResponse };
  answer: {
    request: { image: Blob; task: TaskRequest; options: HubGenerationOptions };
    response: HubAnswer;
  };
};
