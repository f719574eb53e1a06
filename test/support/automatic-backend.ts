import type { Page } from 'playwright-core';
import { backendLabel, chooseBackend } from '../../src/engine/runtime';

/** What Automatic runs on in this Chromium without a GPU adapter (the app is served cross-origin isolated): "WASM, N threads". */
export async function automaticWasm(page: Page): Promise<string> {
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const caps = { webgpu: false, softwareGpu: null, shaderF16: false, crossOriginIsolated: true, cores, deviceMemoryGB: null, gpuMaxBufferBytes: null };
  return backendLabel(chooseBackend(caps));
}
