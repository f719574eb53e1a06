/**
 * Notes the WebAssembly memories onnxruntime instantiates in this worker (its
 * own, or the shared one its threads use) and tells their size on the
 * `bench-memory` channel. Imported before the model worker's code.
 */
const memories = new Set<WebAssembly.Memory>();

function note(...objects: unknown[]): void {
  for (const object of objects) {
    if (!object || typeof object !== 'object') continue;
    for (const value of Object.values(object)) {
      if (value instanceof WebAssembly.Memory) memories.add(value);
      else if (value && typeof value === 'object' && !(value instanceof WebAssembly.Module)) {
        for (const inner of Object.values(value)) if (inner instanceof WebAssembly.Memory) memories.add(inner);
      }
    }
  }
}

type Instantiated = WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance;
const exportsOf = (result: Instantiated) => ('instance' in result ? result.instance : result).exports;
const { instantiate, instantiateStreaming } = WebAssembly;
WebAssembly.instantiate = (async (source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports) => {
  const result = (await instantiate(source as BufferSource, imports)) as Instantiated;
  note(imports, exportsOf(result));
  return result;
}) as typeof WebAssembly.instantiate;
WebAssembly.instantiateStreaming = async (source, imports) => {
  const result = await instantiateStreaming(source, imports);
  note(imports, result.instance.exports);
  return result;
};

new BroadcastChannel('bench-memory').onmessage = (event: MessageEvent<string>) => {
  if (event.data !== 'ask') return;
  const bytes = [...memories].reduce((sum, m) => sum + m.buffer.byteLength, 0);
  new BroadcastChannel('bench-memory').postMessage({ wasmBytes: memories.size ? bytes : null });
};


export {};
