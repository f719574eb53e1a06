import { GvtEngine } from '../engine/gvt-engine';
import { httpSource } from '../engine/package';
import { chooseBackend, configureRuntime, detectCapabilities, type Backend } from '../engine/runtime';
import { storedPackage } from './stored-package';
// Served as files of their own: ORT starts its WASM threads from this module, which it cannot do from inside a bundle.
import wasmModule from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import wasmBinary from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

/** A GVT package served over HTTP, its files kept in the file store, on the backend this browser gives. */
export async function openPackage(url: string, requested?: Partial<Backend>): Promise<GvtEngine> {
  const capabilities = await detectCapabilities();
  const backend = chooseBackend(capabilities, requested);
  configureRuntime(backend, { mjs: wasmModule, wasm: wasmBinary });
  const { source, cached } = storedPackage(httpSource(url));
  return new GvtEngine(source, backend, capabilities, cached);
}
