import { chooseBackend, detectCapabilities, type Backend } from '../engine/runtime';
import { findHubModel } from '../hub/catalogue';
import { CacheStore } from '../files/cache-store';
import { HubEngine } from '../hub/hub-engine';
// transformers.js runs ORT's WebGPU build, whose WASM is the asyncify one; served by the app, never by a CDN.
import wasmModule from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import wasmBinary from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

/** A catalogue model, its files downloaded into Cache Storage, run by transformers.js on the backend this browser gives. */
export async function openHubModel(modelId: string, endpoint: string, requested?: Partial<Backend>): Promise<HubEngine> {
  const model = findHubModel(modelId);
  if (!model) throw new Error(`${modelId} is not in the model catalogue.`);
  const capabilities = await detectCapabilities();
  const backend = chooseBackend(capabilities, requested);
  const runtime = { device: backend.kind, wasmPaths: { mjs: wasmModule, wasm: wasmBinary }, threads: backend.threads };
  return new HubEngine({ model, endpoint, store: new CacheStore(), backend, capabilities, runtime });
}
