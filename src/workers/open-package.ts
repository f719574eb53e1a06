import { GvtEngine } from '../engine/gvt-engine';
import { httpSource } from '../engine/package';
import { chooseBackend, configureRuntime, detectCapabilities, type Backend } from '../engine/runtime';
import { storedPackage } from './stored-package';
// Served as files of their own: ORT starts its WASM threads from this module, which it cannot do from inside a bundle.
import jsepModule from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import jsepBinary from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import plainModule from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import plainBinary from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

/**
 * A GVT package served over HTTP, its files kept in the file store, on the backend this browser gives.
 * WebGPU needs ORT's JSEP build; on WASM the plain build answers about 3× faster (README, Benchmark).
 */
export async function openPackage(url: string, requested?: Partial<Backend>): Promise<GvtEngine> {
  const capabilities = await detectCapabilities();
  const backend = chooseBackend(capabilities, requested);
  configureRuntime(backend, backend.kind === 'webgpu' ? { mjs: jsepModule, wasm: jsepBinary } : { mjs: plainModule, wasm: plainBinary });
  const { source, cached } = storedPackage(httpSource(url));
  return new GvtEngine(source, backend, capabilities, cached);
}
