/**
 * Which backend a model runs on: Automatic passes over a software GPU
 * (SwiftShader answered a caption in 20 s where WASM took under 1 s) and
 * says why; a pick in the Backend menu runs where the browser can honour it.
 */
import { describe, expect, it } from 'vitest';
import { chooseBackend, decideBackend, softwareRenderer, type Capabilities } from '../../src/engine/runtime';

const caps = (change: Partial<Capabilities>): Capabilities => ({
  webgpu: false,
  softwareGpu: null,
  shaderF16: false,
  crossOriginIsolated: true,
  cores: 2,
  deviceMemoryGB: null,
  gpuMaxBufferBytes: null,
  ...change,
});

describe('Automatic', () => {
  it('runs on a hardware GPU', () => {
    expect(decideBackend(caps({ webgpu: true }))).toEqual({ backend: { kind: 'webgpu', threads: 1 }, why: 'Automatic: this browser has a GPU' });
  });

  it('runs on WASM when the only GPU is a software one, and says so', () => {
    expect(decideBackend(caps({ webgpu: true, softwareGpu: 'SwiftShader' }))).toEqual({
      backend: { kind: 'wasm', threads: 1 },
      why: 'Automatic: the only GPU here is a software one (SwiftShader), slower than WASM',
    });
  });

  it('runs on WASM without an adapter, on half the cores (up to 4), on one thread without cross-origin isolation, and says so', () => {
    expect(decideBackend(caps({ cores: 8 }))).toEqual({ backend: { kind: 'wasm', threads: 4 }, why: 'Automatic: this browser gives no WebGPU adapter' });
    expect(chooseBackend(caps({ cores: 16 }))).toEqual({ kind: 'wasm', threads: 4 });
    expect(chooseBackend(caps({ cores: 4 }))).toEqual({ kind: 'wasm', threads: 2 });
    expect(chooseBackend(caps({ cores: 2 }))).toEqual({ kind: 'wasm', threads: 1 });
    // "WASM, all threads" still means every core, up to 4.
    expect(chooseBackend(caps({ cores: 2 }), { kind: 'wasm' })).toEqual({ kind: 'wasm', threads: 2 });
    expect(decideBackend(caps({ crossOriginIsolated: false }))).toEqual({
      backend: { kind: 'wasm', threads: 1 },
      why: 'Automatic: this browser gives no WebGPU adapter; one thread, as the page is not cross-origin isolated',
    });
  });
});

describe('a pick in the Backend menu', () => {
  it('WebGPU runs on a software adapter too, without a why', () => {
    expect(decideBackend(caps({ webgpu: true, softwareGpu: 'SwiftShader' }), { kind: 'webgpu' })).toEqual({ backend: { kind: 'webgpu', threads: 1 }, why: null });
  });

  it('WebGPU without an adapter falls back to WASM and says so', () => {
    expect(decideBackend(caps({}), { kind: 'webgpu' })).toEqual({
      backend: { kind: 'wasm', threads: 1 },
      why: 'WebGPU was picked, but this browser gives no WebGPU adapter',
    });
  });

  it('WASM threads are kept within what the page allows', () => {
    expect(chooseBackend(caps({ webgpu: true }), { kind: 'wasm', threads: 1 })).toEqual({ kind: 'wasm', threads: 1 });
    expect(chooseBackend(caps({ webgpu: true }), { kind: 'wasm', threads: 4 })).toEqual({ kind: 'wasm', threads: 2 });
    expect(chooseBackend(caps({ crossOriginIsolated: false }), { kind: 'wasm', threads: 4 })).toEqual({ kind: 'wasm', threads: 1 });
  });
});

describe('a software renderer is told by', () => {
  it("Chromium's SwiftShader adapter info (a fallback adapter)", () => {
    expect(softwareRenderer({ vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true })).toBe('SwiftShader');
  });

  it('its name where the adapter is not marked a fallback', () => {
    expect(softwareRenderer({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('llvmpipe');
    expect(softwareRenderer({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })).toBe('Microsoft Basic Render Driver');
    expect(softwareRenderer({ vendor: 'google', description: 'SwiftShader Device (Subzero)' })).toBe('SwiftShader');
  });

  it('the older adapter.isFallbackAdapter, with a name where the adapter gives none', () => {
    expect(softwareRenderer({}, true)).toBe("the browser's fallback adapter");
    expect(softwareRenderer({ description: 'Some Soft GPU' }, true)).toBe('Some Soft GPU');
  });

  it('and a hardware GPU is not one', () => {
    expect(softwareRenderer({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3060' })).toBeNull();
    expect(softwareRenderer({ vendor: 'apple', architecture: 'metal-3' }, false)).toBeNull();
  });
});
