/**
 * The messages between the UI thread and the model worker, defined once for
 * both sides. A worker serves an API: a map from method to request and response.
 */
import type { FileProgress } from '../engine/package';
import type { TaskRequest } from '../engine/prompt';
import type { Backend } from '../engine/runtime';
import type { AnswerOptions, DownloadPlan, EngineAnswer, ImageReport, ModelInfo } from '../engine/vlm-engine';

/** Which model a worker runs: a GVT package, or a catalogue model from the Hub. */
export type ModelSpec =
  | { kind: 'package'; /** The package folder, e.g. `/models/gvt-tiny/`. */ url: string }
  | {
      kind: 'hub';
      /** A catalogue id, e.g. `HuggingFaceTB/SmolVLM-256M-Instruct`. */
      modelId: string;
      /** Where `{repo}/resolve/{revision}/{file}` is fetched: the Hub, a mirror, or the app's own origin (booth mode). */
      endpoint: string;
    };

export interface LoadRequest {
  model: ModelSpec;
  backend?: Partial<Backend>;
}

/** The one API every model worker serves, whatever engine runs inside. */
export type ModelApi = {
  /** What loading would download, asked before the user starts it. */
  plan: { request: LoadRequest; response: DownloadPlan };
  load: { request: LoadRequest; response: ModelInfo };
  /** The file as the user gave it, decoded in the worker (an ImageInputError when it is no image); null while no model is loaded. */
  look: { request: { imageKey: string; image: Blob }; response: ImageReport | null };
  /** `image` only when the worker has not seen `imageKey` (a follow-up question sends none). */
  answer: {
    request: { imageKey: string; image: Blob | null; request: TaskRequest; options: AnswerOptions };
    response: EngineAnswer;
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
