// Module hooks for the native reference: the engine's `onnxruntime-web` becomes bench/native-ort.mjs.
const shim = new URL('./native-ort.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'onnxruntime-web') return { url: shim, shortCircuit: true };
  return next(specifier, context);
}
