/**
 * The app's model worker, for `npm run bench`, with one addition: it reports
 * onnxruntime's WebAssembly memory (wasm-memory.ts).
 */
import './wasm-memory';
import '../src/workers/model.worker';
