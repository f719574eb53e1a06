import type { ModelManifest } from '../src/engine/manifest';
import { httpSource, readManifest, type PackageSource } from '../src/engine/package';
import { chooseBackend, configureRuntime, detectCapabilities, type Backend, type Capabilities } from '../src/engine/runtime';
import type { LoadRequest } from '../src/worker-api/messages';
import { withCache } from './cached-source';
// Served as files of their own: ORT starts its WASM threads from this module, which it cannot do from inside a bundle.
import wasmModule from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import wasmBinary from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

export interface Prepared {
  source: PackageSource;
  manifest: ModelManifest;
  backend: Backend;
  capabilities: Capabilities;
}

/** Both workers start the same way: read the manifest, pick and configure the backend. */
export async function preparePackage(request: LoadRequest): Promise<Prepared> {
  const http = httpSource(request.packageUrl);
  const manifest = await readManifest(http);
  const source = withCache(http, manifest);
  const capabilities = await detectCapabilities();
  const backend = chooseBackend(capabilities, request.backend);
  configureRuntime(backend, { mjs: wasmModule, wasm: wasmBinary });
  return { source, manifest, backend, capabilities };
}
