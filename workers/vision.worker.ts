/// <reference lib="webworker" />
import { readPackageFile } from '../src/engine/package';
import { VisionTokenizer } from '../src/engine/vision';
import type { VisionApi } from '../src/worker-api/messages';
import { serve } from '../src/worker-api/serve';
import { decodeImage } from './decode-image';
import { preparePackage } from './load-package';

let tokenizer: VisionTokenizer | null = null;

serve<VisionApi>(self as unknown as DedicatedWorkerGlobalScope, {
  async load(request, { progress }) {
    const start = performance.now();
    const { source, manifest, backend, capabilities } = await preparePackage(request);
    const graph = await readPackageFile(source, manifest, 'vision_encoder', progress);
    await tokenizer?.release();
    tokenizer = await VisionTokenizer.load(manifest, graph, backend);
    return { manifest, backend, capabilities, loadMs: performance.now() - start };
  },

  async encode({ image }) {
    if (!tokenizer) throw new Error('The model is not loaded yet.');
    const { image: decoded, orientation } = await decodeImage(image);
    const start = performance.now();
    const { tokens, sceneScore } = await tokenizer.encode(decoded, orientation);
    return { tokens, sceneScore, encodeMs: performance.now() - start };
  },
});
