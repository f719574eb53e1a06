import * as ort from 'onnxruntime-web';

export type BackendKind = 'webgpu' | 'wasm';

/** Where the graphs run: WebGPU, or WASM on `threads` threads. */
export interface Backend {
  kind: BackendKind;
  threads: number;
}

export interface Capabilities {
  webgpu: boolean;
  /** The adapter runs fp16 shaders: only then do Hub models get fp16 weights. */
  shaderF16: boolean;
  crossOriginIsolated: boolean;
  cores: number;
}

/**
 * WebGPU when the browser gives an adapter; else WASM, threaded only when the
 * page is cross-origin isolated (SharedArrayBuffer needs COOP/COEP).
 * An override wins where the browser can honour it.
 */
export function chooseBackend(caps: Capabilities, override?: Partial<Backend>): Backend {
  const maxThreads = caps.crossOriginIsolated ? Math.max(1, Math.min(4, caps.cores)) : 1;
  const kind = override?.kind === 'webgpu' && !caps.webgpu ? 'wasm' : (override?.kind ?? (caps.webgpu ? 'webgpu' : 'wasm'));
  if (kind === 'webgpu') return { kind, threads: 1 };
  const threads = Math.max(1, Math.min(maxThreads, override?.threads ?? maxThreads));
  return { kind, threads };
}

/** What this worker (or Node) can use; reads navigator, never the DOM. */
export async function detectCapabilities(): Promise<Capabilities> {
  type Adapter = { features: { has(name: string): boolean } };
  const nav = (globalThis as { navigator?: Navigator & { gpu?: { requestAdapter(): Promise<Adapter | null> } } }).navigator;
  let adapter: Adapter | null = null;
  try {
    adapter = (await nav?.gpu?.requestAdapter()) ?? null;
  } catch {
    adapter = null;
  }
  return {
    webgpu: adapter !== null,
    shaderF16: adapter?.features.has('shader-f16') ?? false,
    crossOriginIsolated: Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
    cores: nav?.hardwareConcurrency ?? 1,
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
