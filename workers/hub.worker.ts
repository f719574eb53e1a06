/// <reference lib="webworker" />
import { applyOrientation } from '../src/engine/image';
import { chooseBackend, detectCapabilities } from '../src/engine/runtime';
import { deviceKind, findHubModel, modelFiles, type HubModel } from '../src/hub/catalogue';
import { CacheStore } from '../src/hub/cache-store';
import { downloadFiles, hubFile, planFiles } from '../src/hub/download';
import { HubVlm, rawImage } from '../src/hub/vlm-engine';
import type { HubApi, HubModelRequest } from '../src/worker-api/messages';
import { serve } from '../src/worker-api/serve';
import { decodeImage } from './decode-image';
// transformers.js runs ORT's WebGPU build, whose WASM is the asyncify one; served by the app, never by a CDN.
import wasmModule from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import wasmBinary from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

const store = new CacheStore();
let vlm: HubVlm | null = null;

function catalogueModel(id: string): HubModel {
  const model = findHubModel(id);
  if (!model) throw new Error(`${id} is not in the model catalogue.`);
  return model;
}

async function plan(request: HubModelRequest) {
  const model = catalogueModel(request.modelId);
  const capabilities = await detectCapabilities();
  const backend = chooseBackend(capabilities, request.backend);
  const device = deviceKind(backend, capabilities.shaderF16);
  const targets = modelFiles(model, device).map((file) => hubFile(model.id, file, { endpoint: request.endpoint, revision: model.revision }));
  return { model, capabilities, backend, device, targets };
}

serve<HubApi>(self as unknown as DedicatedWorkerGlobalScope, {
  async sizes(request, { signal }) {
    const { device, targets } = await plan(request);
    const plans = await planFiles(targets, { store, signal });
    return { device, files: plans.map(({ t, stored, remote }) => ({ file: t.file, bytes: stored?.size ?? remote?.size ?? 0, cached: stored !== null })) };
  },

  async load(request, { progress, signal }) {
    const start = performance.now();
    const { model, capabilities, backend, device, targets } = await plan(request);
    // The server is asked again for what `sizes` showed: the user may press Download much later, and a revision like `main` moves.
    await downloadFiles(targets, { store, signal, onProgress: ({ file }) => progress(file) });
    const byFile = new Map(targets.map((t) => [t.file, t.url]));
    const files = async (path: string) => {
      const url = byFile.get(path);
      const hit = url ? await store.get(url) : null;
      return hit ? hit.bytes() : null;
    };
    await vlm?.release();
    vlm = null;
    vlm = await HubVlm.load(model, files, device, {
      device: backend.kind,
      wasmPaths: { mjs: wasmModule, wasm: wasmBinary },
      threads: backend.threads,
    });
    return { backend, capabilities, device, loadMs: performance.now() - start };
  },

  async answer({ image, task, options }, { token, signal }) {
    if (!vlm) throw new Error('The model is not loaded yet.');
    const { image: decoded, orientation } = await decodeImage(image);
    const upright = applyOrientation(decoded, orientation);
    return vlm.answer(rawImage(upright.data, upright.width, upright.height), task, options, token, signal);
  },
});
