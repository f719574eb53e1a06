/**
 * The warning before a download a device likely cannot hold: from what the
 * browser reports (navigator.deviceMemory, the WebGPU adapter's buffer
 * limits) and the catalogue's sizes.
 */
import { describe, expect, it } from 'vitest';
import type { Capabilities } from '../../src/engine/runtime';
import { findHubModel } from '../../src/hub/catalogue';
import { fitWarning, largestWeightBytes } from '../../src/hub/device-fit';

const caps = (change: Partial<Capabilities>): Capabilities => ({
  webgpu: true,
  softwareGpu: null,
  shaderF16: false,
  crossOriginIsolated: true,
  cores: 4,
  deviceMemoryGB: null,
  gpuMaxBufferBytes: null,
  ...change,
});
const florence = findHubModel('onnx-community/Florence-2-base-ft')!;
const lfm = findHubModel('LiquidAI/LFM2.5-VL-450M-ONNX')!;

describe('fitWarning', () => {
  it('warns when the weights would take over half of what deviceMemory reports, naming both figures', () => {
    // Florence-2's WebGPU fp32 set is about 760 MB; a phone reporting 1 GB.
    const warning = fitWarning(florence, 'webgpu', caps({ deviceMemoryGB: 1 }), 762e6);
    expect(warning).toBe(
      'Florence-2 base needs its 762.0 MB of weights in memory at once, and this device reports about 1 GB of memory in all: loading may fail or close the tab. A smaller model fits better.',
    );
    expect(fitWarning(florence, 'webgpu', caps({ deviceMemoryGB: 8 }), 762e6)).toBeNull();
    expect(fitWarning(florence, 'webgpu', caps({}), 762e6)).toBeNull();
  });

  it('warns on WebGPU when the token table is larger than the adapter’s largest buffer, and says to pick WASM', () => {
    // LFM2.5-VL's 65536 x 1024 table: 268 MB in float32, 134 MB in float16.
    expect(largestWeightBytes(lfm, 'webgpu')).toBe(268_435_456);
    expect(largestWeightBytes(lfm, 'webgpu-f16')).toBe(134_217_728);
    // WebGPU's default maxStorageBufferBindingSize: 128 MiB.
    const limit = 128 * 2 ** 20;
    expect(fitWarning(lfm, 'webgpu', caps({ gpuMaxBufferBytes: limit }), 5e8)).toBe(
      'Its largest weight (the 268.4 MB token table) is more than this GPU holds in one buffer (134.2 MB): on WebGPU it will not load. Pick WASM under Backend.',
    );
    expect(fitWarning(lfm, 'webgpu-f16', caps({ gpuMaxBufferBytes: limit }), 5e8)).toBeNull();
    expect(fitWarning(lfm, 'wasm', caps({ gpuMaxBufferBytes: limit }), 5e8)).toBeNull();
  });
});
