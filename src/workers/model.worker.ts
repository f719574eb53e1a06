/// <reference lib="webworker" />
/**
 * The one model worker: it runs whichever engine the load names (a GVT package
 * or a Hub model) behind the same API. One worker per model; the client starts
 * a fresh one for each model, so a model's memory goes with its worker.
 */
import type { VlmEngine } from '../engine/vlm-engine';
import type { LoadRequest, ModelApi } from '../worker-api/messages';
import { serve } from '../worker-api/serve';
import { decodeImage } from './decode-image';

/**
 * Rejects when a GPU device this worker runs on is lost (a driver reset, memory
 * pressure, GPUDevice.destroy()). ONNX Runtime does not notice: its next read
 * of a GPU buffer waits forever. So every device any runtime here asks for is
 * watched, and the calls under way fail with a message the client recognises.
 */
const gpuLost = new Promise<never>((_, reject) => {
  // The few members used, as TypeScript's DOM library has no WebGPU types.
  type Device = { lost: Promise<{ reason: string; message: string }> };
  type Adapter = { requestDevice(...args: unknown[]): Promise<Device> };
  const Adapter = (globalThis as { GPUAdapter?: { prototype: Adapter } }).GPUAdapter;
  if (!Adapter) return;
  const requestDevice = Adapter.prototype.requestDevice;
  Adapter.prototype.requestDevice = async function (this: Adapter, ...args: unknown[]) {
    const device = await requestDevice.apply(this, args);
    void device.lost.then((info) => reject(new Error(`The GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''})`)));
    return device;
  };
});
gpuLost.catch(() => {}); // reported through the calls it ends
const unlessGpuLost = <T>(work: Promise<T>) => Promise.race([work, gpuLost]);

let engine: Promise<VlmEngine> | null = null;
let opened = '';
/** Set once a load has finished: images can be encoded from then on. */
let ready: VlmEngine | null = null;

/** Each kind's code (and its onnxruntime-web build) is imported only by the worker that runs it. */
async function open({ model, backend }: LoadRequest): Promise<VlmEngine> {
  if (model.kind === 'package') return (await import('./open-package')).openPackage(model.url, backend);
  return (await import('./open-hub-model')).openHubModel(model.modelId, model.endpoint, backend);
}

function engineFor(request: LoadRequest): Promise<VlmEngine> {
  const key = JSON.stringify(request);
  if (!engine || key !== opened) {
    const previous = engine;
    ready = null;
    engine = (async () => {
      await (await previous?.catch(() => null))?.release();
      return open(request);
    })();
    opened = key;
    engine.catch(() => (engine = null));
  }
  return engine;
}

function loaded(): VlmEngine {
  if (!ready) throw new Error('The model is not loaded yet.');
  return ready;
}

serve<ModelApi>(self as unknown as DedicatedWorkerGlobalScope, {
  plan: async (request, { signal }) => (await engineFor(request)).plan(signal),
  load: async (request, { progress, signal }) => {
    const opening = await engineFor(request);
    const info = await unlessGpuLost(opening.load(progress, signal));
    ready = opening;
    return info;
  },
  // Decoding tells at once whether the file is an image, even while the model loads.
  look: async ({ imageKey, image }) => {
    const decoded = await decodeImage(image);
    return ready ? unlessGpuLost(ready.look(imageKey, decoded)) : null;
  },
  answer: async ({ imageKey, image, request, options }, { token, signal }) => {
    const decoded = image ? await decodeImage(image) : null;
    return unlessGpuLost(loaded().answer(imageKey, decoded, request, options, token, signal));
  },
});
