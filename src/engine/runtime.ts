import * as ort from 'onnxruntime-web';

export type BackendKind = 'webgpu' | 'wasm';

/** Where the graphs run: WebGPU, or WASM on `threads` threads. */
export interface Backend {
  kind: BackendKind;
  threads: number;
}

/** How the app names a backend: "WebGPU", "WASM, 1 thread", "WASM, 2 threads". */
export const backendLabel = (backend: Backend) =>
  backend.kind === 'webgpu' ? 'WebGPU' : `WASM, ${backend.threads} thread${backend.threads > 1 ? 's' : ''}`;

export interface Capabilities {
  /** The browser gives a WebGPU adapter, software or not: WebGPU can be picked in the menu. */
  webgpu: boolean;
  /**
   * The adapter's name when it is a fallback or software renderer (SwiftShader,
   * llvmpipe): it runs shaders on the CPU, slower than WASM (a caption took 20 s
   * on SwiftShader, under 1 s on WASM). null for a hardware GPU or none.
   */
  softwareGpu: string | null;
  /** The adapter runs fp16 shaders: only then do Hub models get fp16 weights. */
  shaderF16: boolean;
  crossOriginIsolated: boolean;
  cores: number;
  /** `navigator.deviceMemory`: the device's RAM in GB, rounded down and capped at 8 by the browser (null: not told). */
  deviceMemoryGB: number | null;
  /** The most one WebGPU buffer may hold on this adapter, in bytes (the smaller of its two limits; null: no adapter). */
  gpuMaxBufferBytes: number | null;
}

export interface BackendChoice {
  backend: Backend;
  /** Why Automatic chose it, or why a pick could not run here; null when a pick runs as asked. */
  why: string | null;
}

/** The most threads WASM runs on: the cores, up to 4. */
export const wasmThreadsMax = (cores: number): number => Math.max(1, Math.min(4, cores));

/**
 * Automatic: WebGPU on a hardware GPU; else WASM, threaded only when the page
 * is cross-origin isolated (SharedArrayBuffer needs COOP/COEP), on half the
 * cores as onnxruntime-web's own default has it: the other half is left to the
 * page and the rest of the device (on 2 cores, one thread decodes faster than
 * two: README, "Benchmark"). A pick wins where the browser can honour it:
 * WebGPU on a software adapter is still WebGPU.
 */
export function decideBackend(caps: Capabilities, override?: Partial<Backend>): BackendChoice {
  const maxThreads = caps.crossOriginIsolated ? wasmThreadsMax(caps.cores) : 1;
  const threads = override?.kind === 'wasm' ? (override.threads ?? maxThreads) : Math.ceil(caps.cores / 2);
  const wasm: Backend = { kind: 'wasm', threads: Math.max(1, Math.min(maxThreads, threads)) };
  const webgpu: Backend = { kind: 'webgpu', threads: 1 };
  const oneThread = caps.crossOriginIsolated ? '' : '; one thread, as the page is not cross-origin isolated';
  if (override?.kind === 'webgpu') {
    return caps.webgpu ? { backend: webgpu, why: null } : { backend: wasm, why: `WebGPU was picked, but this browser gives no WebGPU adapter${oneThread}` };
  }
  if (override?.kind === 'wasm') return { backend: wasm, why: null };
  if (caps.webgpu && !caps.softwareGpu) return { backend: webgpu, why: 'Automatic: this browser has a GPU' };
  if (caps.softwareGpu) {
    return { backend: wasm, why: `Automatic: the only GPU here is a software one (${caps.softwareGpu}), slower than WASM${oneThread}` };
  }
  return { backend: wasm, why: `Automatic: this browser gives no WebGPU adapter${oneThread}` };
}

export const chooseBackend = (caps: Capabilities, override?: Partial<Backend>): Backend => decideBackend(caps, override).backend;

/** What GPUAdapterInfo says of an adapter, as far as telling a software renderer goes. */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

const SOFTWARE_RENDERERS: [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render driver/i, 'Microsoft Basic Render Driver'],
];

/**
 * The software renderer an adapter is, by name, or null for a hardware GPU.
 * Chromium marks SwiftShader a fallback adapter; llvmpipe and Windows' WARP
 * come as ordinary adapters, known only by their names.
 */
export function softwareRenderer(info: AdapterInfo, fallback = false): string | null {
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  const known = SOFTWARE_RENDERERS.find(([pattern]) => pattern.test(text));
  if (known) return known[1];
  return fallback || info.isFallbackAdapter ? info.description || "the browser's fallback adapter" : null;
}

/** What this worker (or Node) can use; reads navigator, never the DOM. */
export async function detectCapabilities(): Promise<Capabilities> {
  type Adapter = {
    features: { has(name: string): boolean };
    limits?: { maxBufferSize?: number; maxStorageBufferBindingSize?: number };
    info?: AdapterInfo;
    /** Before Chromium 127: the info came from a call. */
    requestAdapterInfo?(): Promise<AdapterInfo>;
    /** Before GPUAdapterInfo had it. */
    isFallbackAdapter?: boolean;
  };
  const nav = (globalThis as { navigator?: Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> }; deviceMemory?: number } }).navigator;
  let adapter: Adapter | null = null;
  let info: AdapterInfo = {};
  try {
    adapter = (await nav?.gpu?.requestAdapter()) ?? null;
    info = adapter?.info ?? (await adapter?.requestAdapterInfo?.()) ?? {};
  } catch {
    // A browser that refuses an adapter, or word of what it is, is judged on what it did give.
  }
  return {
    webgpu: adapter !== null,
    softwareGpu: adapter ? softwareRenderer(info, adapter.isFallbackAdapter) : null,
    shaderF16: adapter?.features.has('shader-f16') ?? false,
    crossOriginIsolated: Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
    cores: nav?.hardwareConcurrency ?? 1,
    deviceMemoryGB: typeof nav?.deviceMemory === 'number' ? nav.deviceMemory : null,
    gpuMaxBufferBytes: adapter?.limits ? Math.min(adapter.limits.maxBufferSize ?? Infinity, adapter.limits.maxStorageBufferBindingSize ?? Infinity) : null,
  };
}

/** ORT reads its thread count once, at its first session: call before creating any. */
export function configureRuntime(backend: Backend, wasmPaths?: ort.Env.WasmPrefixOrFilePaths): void {
  ort.env.wasm.numThreads = backend.kind === 'wasm' ? backend.threads : 1;
  if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
}

export async function createSession(
  bytes: Uint8Array,
  backend: Backend,
  gpuOutputs: readonly string[] = [],
): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: [backend.kind],
    graphOptimizationLevel: 'all',
    // Packages keep int8 weights behind DequantizeLinear (small downloads). With
    // QDQ handling on, onnxruntime keeps those nodes and, on WASM, dequantizes
    // every weight at every decoding step; off, it folds them into float32
    // weights once at load, the same arithmetic (README, "Benchmark").
    extra: { session: { disable_quant_qdq: '1' } },
  };
  if (backend.kind === 'webgpu' && gpuOutputs.length > 0) {
    options.preferredOutputLocation = Object.fromEntries(gpuOutputs.map((name) => [name, 'gpu-buffer' as const]));
  }
  return ort.InferenceSession.create(bytes, options);
}

let running: Promise<unknown> = Promise.resolve();

/**
 * Runs one session at a time in this thread. ONNX Runtime's WebGPU backend
 * fails a run that starts while another is in flight ("Session already
 * started"), and one worker holds both the vision encoder and the LLM: a new
 * image encoded while an answer is written takes its turn between two tokens.
 */
export function runExclusive<T>(run: () => Promise<T>): Promise<T> {
  const result = running.then(run, run);
  running = result.catch(() => {});
  return result;
}

export { ort };
