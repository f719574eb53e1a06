/**
 * How transformers.js is pointed at the app's own files: it never touches the
 * network, and every file it asks for comes from the app's store.
 */
import { env, type Tensor } from '@huggingface/transformers';

/**
 * A file of the model's repo by its path there (`onnx/decoder_model_merged_q4.onnx`), or null when the repo
 * has none. A Blob from Cache Storage is read from disk as transformers.js reads it, so no second whole copy
 * of a graph sits in memory beside the one it hands to ONNX Runtime.
 */
export type RepoFiles = (path: string) => Promise<Blob | Uint8Array | null>;

export interface RuntimeFiles {
  /** Where transformers.js runs the graphs: the browser's backend, or `cpu` (onnxruntime-node) in Node. */
  device: 'webgpu' | 'wasm' | 'cpu';
  /** onnxruntime-web's asyncify build, served by the app itself (never a CDN: the app runs offline). */
  wasmPaths?: { mjs: string; wasm: string };
  threads?: number;
}

/** Any URL transformers.js asks for; only the part after `/resolve/{revision}/` matters. */
const ENDPOINT = 'https://hub.local/';

/** Returns a function that drops the reads kept for loading, once the sessions hold the graphs. */
export function configureTransformers(files: RepoFiles, runtime: RuntimeFiles): () => void {
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.remoteHost = ENDPOINT;
  env.useBrowserCache = false;
  env.useFSCache = false;
  env.useWasmCache = false;
  // Files come through the cache interface, which transformers.js reads the same way in a worker and in Node.
  // It asks twice for each file it loads: keep the read (a Blob is only a handle) until the second ask.
  const reads = new Map<string, Promise<Blob | Uint8Array | null>>();
  const read = (key: string) => {
    const path = decodeURIComponent(key.split('/resolve/')[1]?.split('/').slice(1).join('/') ?? '');
    if (!path) return Promise.resolve(null);
    const pending = reads.get(path) ?? files(path);
    reads.set(path, pending);
    return pending;
  };
  env.useCustomCache = true;
  env.customCache = {
    async match(key: string) {
      const body = await read(key);
      return body ? new Response(body as BodyInit, { headers: { 'content-length': String(body instanceof Blob ? body.size : body.byteLength) } }) : undefined;
    },
    async put() {},
  };
  // What the cache has not got, the repo has not got either: never the network.
  env.fetch = async () => new Response('Entry not found', { status: 404 });
  const onnx = env.backends.onnx;
  if (onnx.wasm) {
    if (runtime.wasmPaths) onnx.wasm.wasmPaths = runtime.wasmPaths;
    if (runtime.threads) onnx.wasm.numThreads = runtime.threads;
  }
  return () => reads.clear();
}

/**
 * transformers.js scatters image features into the token embeddings and
 * hands those to the decoder as they come (its merge copies raw elements and
 * notes the float32 assumption as a TODO). A float16 graph that gives
 * float16 (one exported without float32 edges) would put fp16 bit patterns
 * into a float32 decoder input, or be refused by it: such outputs are cast.
 */
export function asFloat32(tensor: Tensor): Tensor {
  return tensor.type === 'float16' ? tensor.to('float32') : tensor;
}
