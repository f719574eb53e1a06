/// <reference lib="webworker" />
import { LanguageModel } from '../src/engine/language-model';
import { readPackageFile, readPackageJson } from '../src/engine/package';
import type { LlmApi } from '../src/worker-api/messages';
import { serve } from '../src/worker-api/serve';
import { preparePackage } from './load-package';

let model: LanguageModel | null = null;

serve<LlmApi>(self as unknown as DedicatedWorkerGlobalScope, {
  async load(request, { progress }) {
    const start = performance.now();
    const { source, manifest, backend, capabilities } = await preparePackage(request);
    const [embedTokens, decoder, tokenizerJson, tokenizerConfig] = await Promise.all([
      readPackageFile(source, manifest, 'embed_tokens', progress),
      readPackageFile(source, manifest, 'decoder', progress),
      readPackageJson(source, manifest, 'tokenizer'),
      readPackageJson(source, manifest, 'tokenizer_config'),
    ]);
    await model?.release();
    model = await LanguageModel.load(manifest, { embedTokens, decoder, tokenizerJson, tokenizerConfig }, backend);
    return { manifest, backend, capabilities, loadMs: performance.now() - start };
  },

  async generate({ imageKey, visualTokens, question, options }, { signal, token }) {
    if (!model) throw new Error('The model is not loaded yet.');
    return model.answer(imageKey, visualTokens, question, options, token, signal);
  },
});
