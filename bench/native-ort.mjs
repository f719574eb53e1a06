/**
 * onnxruntime-node dressed as onnxruntime-web, for the bench's native
 * reference: the app's engine runs unchanged on ONNX Runtime's native CPU
 * build, on as many threads as it asks of the WASM backend.
 */
import * as ortNode from 'onnxruntime-node';

export const { Tensor, env } = ortNode;

export const InferenceSession = {
  create(bytes, options = {}) {
    // The engine folds int8 weights to float32 for WASM (src/engine/runtime.ts);
    // native's own int8 kernels run the QDQ pairs faster than that, and the
    // reference is native at its best.
    const rest = { ...options };
    delete rest.extra;
    return ortNode.InferenceSession.create(bytes, {
      ...rest,
      executionProviders: ['cpu'],
      intraOpNumThreads: env.wasm.numThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
  },
};
