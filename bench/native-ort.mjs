/**
 * onnxruntime-node dressed as onnxruntime-web, for the bench's native
 * reference: the app's engine runs unchanged on ONNX Runtime's native CPU
 * build, on as many threads as it asks of the WASM backend.
 */
import * as ortNode from 'onnxruntime-node';

export const { Tensor, env } = ortNode;

export const InferenceSession = {
  create(bytes, options = {}) {
    return ortNode.InferenceSession.create(bytes, {
      ...options,
      executionProviders: ['cpu'],
      intraOpNumThreads: env.wasm.numThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
  },
};
