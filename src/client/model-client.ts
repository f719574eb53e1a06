import type { FileProgress } from '../engine/package';
import type { TaskRequest } from '../engine/prompt';
import type { AnswerOptions, DownloadPlan, EngineAnswer, ImageReport, ModelInfo } from '../engine/vlm-engine';
import { WorkerClient, WorkerError, type Call } from '../worker-api/client';
import type { LoadRequest, ModelApi } from '../worker-api/messages';

/** An answer, and what was done when the model was lost on the way to it. */
export interface ClientAnswer extends EngineAnswer {
  /** Set when the worker crashed or lost its GPU and the answer came from a reloaded model. */
  recovered?: { notice: string; info: ModelInfo };
}

const GPU_LOST = /device (was |is )?lost|GPUDevice|device.*destroyed/i;

/**
 * The typed front door to the model worker, whatever model it runs. It starts
 * one worker per model, sends an image across only when the worker has not
 * got it, and is the one place where a lost worker or GPU is survived: the
 * model reloads (on WASM when the GPU went) and the answer is asked once more.
 */
export class ModelClient {
  private worker: WorkerClient<ModelApi> | null = null;
  private request: LoadRequest | null = null;
  private loaded = false;
  /** Image keys the worker's engine holds. */
  private readonly seen = new Set<string>();

  /** The worker for `request`: the current one when it runs that model, else a fresh one. */
  private workerFor(request: LoadRequest): WorkerClient<ModelApi> {
    if (!this.worker || JSON.stringify(request) !== JSON.stringify(this.request)) {
      this.unload();
      this.worker = new WorkerClient<ModelApi>(
        'model',
        () => new Worker(new URL('../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'gvt-model' }),
      );
      this.request = request;
    }
    return this.worker;
  }

  plan(request: LoadRequest): Call<DownloadPlan> {
    return this.workerFor(request).call('plan', request);
  }

  load(request: LoadRequest, onProgress?: (progress: FileProgress) => void): Call<ModelInfo> {
    const worker = this.workerFor(request);
    this.loaded = false;
    this.seen.clear();
    const call = worker.call('load', request, { onProgress });
    call.result.then(
      () => this.worker === worker && (this.loaded = true),
      () => {},
    );
    return call;
  }

  /** Decodes the image in the worker (failing on a file that is no image) and, once a model is loaded, encodes it. */
  async look(imageKey: string, image: Blob): Promise<ImageReport | null> {
    if (!this.worker) return null; // no model chosen yet: the image is read when one loads
    await this.reloadIfCrashed();
    const report = await this.worker.call('look', { imageKey, image }).result;
    if (report) this.seen.add(imageKey);
    return report;
  }

  answer(imageKey: string, image: Blob, request: TaskRequest, options: AnswerOptions, onText: (delta: string) => void): Call<ClientAnswer> {
    let current: Call<EngineAnswer> | null = null;
    let cancelled = false;
    const ask = (send: boolean) => {
      if (!this.worker) throw new Error('The model is not loaded.');
      current = this.worker.call('answer', { imageKey, image: send ? image : null, request, options }, { onToken: onText });
      if (cancelled) current.cancel();
      return current.result;
    };
    const result = (async (): Promise<ClientAnswer> => {
      await this.reloadIfCrashed();
      let answer: ClientAnswer;
      try {
        answer = await ask(!this.seen.has(imageKey)).catch((error) => {
          if (error instanceof WorkerError && error.name === 'MissingImageError') return ask(true);
          throw error;
        });
      } catch (error) {
        const message = (error as Error).message;
        const gpuLost = error instanceof WorkerError && GPU_LOST.test(message);
        const crashed = error instanceof WorkerError && error.name === 'WorkerCrash';
        if (!(gpuLost || crashed) || cancelled || !this.request) throw error;
        const info = await this.load(gpuLost ? { ...this.request, backend: { kind: 'wasm' } } : this.request).result;
        const notice = gpuLost
          ? `The GPU was lost while answering (${message}). The model was reloaded on WASM and the question asked again.`
          : `The model stopped while answering (${message}). It was reloaded and the question asked again.`;
        answer = { ...(await ask(true)), recovered: { notice, info } };
      }
      this.seen.add(imageKey);
      return answer;
    })();
    return {
      result,
      cancel: () => {
        cancelled = true;
        current?.cancel();
      },
    };
  }

  /** A worker that crashed comes back empty: load the model into it before the next call. */
  private async reloadIfCrashed(): Promise<void> {
    if (this.worker?.fresh && this.loaded && this.request) await this.load(this.request).result;
  }

  /** Stops the worker, and with it the model's memory. */
  unload(): void {
    this.worker?.terminate();
    this.worker = null;
    this.request = null;
    this.loaded = false;
    this.seen.clear();
  }
}
