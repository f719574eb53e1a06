import type { Answer, GenerationOptions } from '../engine/language-model';
import type { FileProgress } from '../engine/package';
import { afterReady, WorkerClient, type Call } from '../worker-api/client';
import type { Api, LlmApi, LoadRequest, LoadResponse, VisionApi } from '../worker-api/messages';

export interface LoadedModel extends LoadResponse {
  /** Per worker: the vision worker and the LLM worker load in parallel. */
  visionLoadMs: number;
  llmLoadMs: number;
}

/**
 * The typed front door to the two workers: the vision worker turns an image
 * into visual tokens, which cross (as a transferable) to the LLM worker. The
 * visual tokens of each image stay here, so a restarted LLM worker can rebuild
 * its prefix cache without re-encoding the image.
 */
export class GvtClient {
  private readonly vision = new WorkerClient<VisionApi>(
    'vision',
    () => new Worker(new URL('../../workers/vision.worker.ts', import.meta.url), { type: 'module', name: 'gvt-vision' }),
  );
  private readonly llm = new WorkerClient<LlmApi>(
    'language model',
    () => new Worker(new URL('../../workers/llm.worker.ts', import.meta.url), { type: 'module', name: 'gvt-llm' }),
  );
  private loadRequest: LoadRequest | null = null;
  private readonly visualTokens = new Map<string, Float32Array>();

  async load(request: LoadRequest, onProgress?: (progress: FileProgress) => void): Promise<LoadedModel> {
    this.vision.terminate();
    this.llm.terminate();
    this.visualTokens.clear();
    this.loadRequest = request;
    const [vision, llm] = await Promise.all([
      this.vision.call('load', request, { onProgress }).result,
      this.llm.call('load', request, { onProgress }).result,
    ]);
    return { ...llm, visionLoadMs: vision.loadMs, llmLoadMs: llm.loadMs };
  }

  /** Encodes an image once; later questions about `imageKey` reuse its tokens. */
  async encode(imageKey: string, image: Blob): Promise<{ encodeMs: number; sceneScore: number | null }> {
    await this.reloadIfRestarted(this.vision);
    const { tokens, encodeMs, sceneScore } = await this.vision.call('encode', { image }).result;
    this.visualTokens.set(imageKey, tokens);
    return { encodeMs, sceneScore };
  }

  hasImage(imageKey: string): boolean {
    return this.visualTokens.has(imageKey);
  }

  ask(imageKey: string, question: string, options: GenerationOptions, onToken: (text: string) => void): Call<Answer> {
    const tokens = this.visualTokens.get(imageKey);
    if (!tokens) throw new Error('Add an image first.');
    return afterReady(this.reloadIfRestarted(this.llm), () => {
      const copy = tokens.slice();
      return this.llm.call('generate', { imageKey, visualTokens: copy, question, options }, { onToken }, [copy.buffer]);
    });
  }

  /** A worker that crashed comes back empty: load the model into it before the call. */
  private async reloadIfRestarted(client: WorkerClient<Api & Pick<VisionApi, 'load'>>): Promise<void> {
    if (client.fresh && this.loadRequest) await client.call('load', this.loadRequest).result;
  }
}
