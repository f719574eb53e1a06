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

/** A worker and the model it runs (or is loading). */
interface Slot {
  worker: WorkerClient<ModelApi>;
  request: LoadRequest;
}

/**
 * The typed front door to the model workers, whatever model they run. The
 * loaded model keeps its worker, and keeps answering, while another is planned
 * and downloaded in a worker of its own; only when that one is ready does it
 * take over (and the old worker, with its memory, goes). An image crosses to
 * the worker only when the worker has not got it. This is the one place where
 * a lost worker or GPU is survived: the model reloads (on WASM when the GPU
 * went) and the answer is asked once more.
 */
export class ModelClient {
  /** The model that answers. */
  private active: Slot | null = null;
  /** A model being planned or loaded to replace it. */
  private next: Slot | null = null;
  private loaded = false;
  /** Image keys the active worker's engine holds. */
  private readonly seen = new Set<string>();

  /** The worker for `request`: the one that runs or is loading that model, else a fresh one (the old candidate stops). */
  private slotFor(request: LoadRequest): Slot {
    const same = (slot: Slot | null) => slot !== null && JSON.stringify(slot.request) === JSON.stringify(request);
    if (same(this.active)) {
      // Back to the model that answers: a candidate being planned or loaded is dropped.
      this.next?.worker.terminate();
      this.next = null;
      return this.active!;
    }
    if (same(this.next)) return this.next!;
    this.next?.worker.terminate();
    this.next = {
      request,
      worker: new WorkerClient<ModelApi>(
        'model',
        () => new Worker(new URL('../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'gvt-model' }),
      ),
    };
    return this.next;
  }

  plan(request: LoadRequest): Call<DownloadPlan> {
    return this.slotFor(request).worker.call('plan', request);
  }

  /** Loads `request`'s model; once it is ready it replaces the active one. A failed candidate is stopped and the active model stays. */
  load(request: LoadRequest, onProgress?: (progress: FileProgress) => void): Call<ModelInfo> {
    const slot = this.slotFor(request);
    if (slot === this.active) {
      this.loaded = false;
      this.seen.clear();
    }
    const call = slot.worker.call('load', request, { onProgress });
    const result = call.result.then(
      (info) => {
        if (slot === this.next) {
          this.active?.worker.terminate();
          this.active = slot;
          this.next = null;
          this.seen.clear();
        }
        if (slot === this.active) this.loaded = true;
        return info;
      },
      (error) => {
        if (slot === this.next) {
          slot.worker.terminate();
          this.next = null;
        }
        throw error;
      },
    );
    return { result, cancel: call.cancel };
  }

  /** Decodes the image in the worker (failing on a file that is no image) and, once a model is loaded, encodes it. */
  async look(imageKey: string, image: Blob): Promise<ImageReport | null> {
    // While the first model loads, its worker checks the file: the image is encoded once the model is ready.
    const slot = this.active ?? this.next;
    if (!slot) return null;
    await this.reloadIfCrashed();
    const report = await slot.worker.call('look', { imageKey, image }).result;
    if (report && slot === this.active) this.seen.add(imageKey);
    return report;
  }

  answer(imageKey: string, image: Blob, request: TaskRequest, options: AnswerOptions, onText: (delta: string) => void): Call<ClientAnswer> {
    let current: Call<EngineAnswer> | null = null;
    let cancelled = false;
    const ask = (send: boolean) => {
      if (!this.active) throw new Error('The model is not loaded.');
      current = this.active.worker.call('answer', { imageKey, image: send ? image : null, request, options }, { onToken: onText });
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
        const request = this.active?.request;
        if (!(gpuLost || crashed) || cancelled || !request) throw error;
        const info = await this.load(gpuLost ? { ...request, backend: { kind: 'wasm' } } : request).result;
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
    if (this.active?.worker.fresh && this.loaded) await this.load(this.active.request).result;
  }
}
