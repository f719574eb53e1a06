/**
 * What the picker says a model weighs before it is chosen: the sum of the
 * sizes the real repos' listings publish for the files this device gets
 * (src/hub/published-sizes.ts), and plainly how many files have none.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE, downloadEstimate, findHubModel, modelFiles, publishedDownload } from '../../src/hub/catalogue';

const florence = findHubModel('onnx-community/Florence-2-base-ft')!;
const smolvlm = findHubModel('HuggingFaceTB/SmolVLM-256M-Instruct')!;

describe('published download sizes', () => {
  it('adds up Florence-2 base to the ~334 MB (WASM) and ~760 MB (WebGPU) issue #20 gives, from its files', () => {
    const wasm = publishedDownload(florence, 'wasm');
    expect(wasm.unknownFiles).toBe(0);
    expect(wasm.bytes / 1e6).toBeCloseTo(336.2, 1); // 81.2 + 30.1 + 158 + 64.4 MB of graphs, 2.5 MB of config and tokenizer
    expect(downloadEstimate(florence, 'wasm')).toBe('about 336.2 MB to download');
    const webgpu = publishedDownload(florence, 'webgpu');
    expect(webgpu.unknownFiles).toBe(0);
    expect(webgpu.bytes / 1e6).toBeCloseTo(764.9, 1); // 367 + 173 + 158 + 64.4 MB and the same 2.5 MB
  });

  it('adds up SmolVLM 256M on WebGPU without shader-f16 to the ~575 MB issue #20 gives', () => {
    const webgpu = publishedDownload(smolvlm, 'webgpu');
    expect(webgpu.unknownFiles).toBe(0);
    expect(webgpu.bytes / 1e6).toBeCloseTo(578.8, 1); // 374.32 + 114 + 86.9 MB of graphs, 3.6 MB of config and tokenizer
  });

  it('says which part is known when a listing lacks files, never a made-up total', () => {
    // LFM2.5-VL on WASM: generation_config.json, preprocessor_config.json and tokenizer_config.json have no public size.
    const lfm = findHubModel('LiquidAI/LFM2.5-VL-450M-ONNX')!;
    expect(publishedDownload(lfm, 'wasm')).toEqual({ bytes: expect.any(Number), unknownFiles: 3 });
    expect(downloadEstimate(lfm, 'wasm')).toBe('over 680.3 MB to download; 3 of its files have no published size (checked with the server when chosen)');
    // Florence-2 on WebGPU with shader-f16, every file known: 183.93 + 86.75 + 78.78 + 64.4 MB and the same 2.5 MB.
    expect(downloadEstimate(florence, 'webgpu-f16')).toBe('about 416.4 MB to download');
  });

  it('lists a size, or null, for every file each model may fetch on any device', () => {
    for (const model of CATALOGUE) {
      for (const device of ['wasm', 'webgpu', 'webgpu-f16'] as const) {
        const files = modelFiles(model, device);
        const { unknownFiles } = publishedDownload(model, device);
        expect(unknownFiles).toBe(files.filter((f) => model.sizes[f] == null).length);
      }
    }
  });
});
