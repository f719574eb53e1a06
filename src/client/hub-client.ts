import type { FileProgress } from '../engine/package';
import type { HubAnswer, HubGenerationOptions } from '../hub/vlm-engine';
import type { TaskRequest } from '../engine/prompt';
import { afterReady, WorkerClient, type Call } from '../worker-api/client';
import type { HubApi, HubLoadResponse, HubModelRequest } from '../worker-api/messages';

/**
 * The typed front door to the Hub-model worker: one worker downloads the
 * files (resuming, verified, into Cache Storage) and runs the model with
 * transformers.js. A crashed worker is restarted and the model reloaded from
 * the cache before the next answer.
 */
export class HubClient {
  private readonly worker = new WorkerClient<HubApi>(
    'Hub model',
    () => new Worker(new URL('../../workers/hub.worker.ts', import.meta.url), { type: 'module', name: 'gvt-hub' }),
  );
  private loaded: HubModelRequest | null = null;

  sizes(request: HubModelRequest) {
    return this.worker.call('sizes', request);
  }

  load(request: HubModelRequest, onProgress: (progress: FileProgress) => void): Call<HubLoadResponse> {
    this.loaded = null;
    const call = this.worker.call('load', request, { onProgress });
    call.result.then(() => (this.loaded = request)).catch(() => {});
    return call;
  }

  answer(image: Blob, task: TaskRequest, options: HubGenerationOptions, onToken: (text: string) => void): Call<HubAnswer> {
    const reload = this.worker.fresh && this.loaded ? this.worker.call('load', this.loaded).result : Promise.resolve();
    return afterReady(reload, () => this.worker.call('answer', { image, task, options }, { onToken }));
  }

  /** Frees the model's memory when the user goes back to a GVT package. */
  unload(): void {
    this.loaded = null;
    this.worker.terminate();
  }
}
