/**
 * Splits a Chromium trace's V8 CPU samples by thread into parts of the app:
 * each sample goes to the source module of the innermost frame that has code
 * of its own (a built-in such as postMessage counts for the module calling it),
 * found through the `// path` line an unminified build opens each module with.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const BUILD = join(resolve(import.meta.dirname, '..'), '.cache', 'bench-build');

interface CallFrame {
  functionName?: string;
  url?: string;
  lineNumber?: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  parent?: number;
}
export interface TraceEvent {
  name: string;
  pid: number;
  tid: number;
  id?: string;
  args: { name?: string; data?: { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] } };
}

export interface ThreadSplit {
  thread: string;
  /** ms by part of the app. */
  parts: Map<string, number>;
  /** ms by function (self time), named with its module. */
  functions: Map<string, number>;
  /** ms with onnxruntime anywhere on the stack (its JS, its glue, its WASM). */
  insideOrt: number;
}

const modules = new Map<string, { from: number; path: string }[]>();
function moduleAt(url: string, line: number): string {
  if (url.startsWith('wasm://') || url.endsWith('.wasm')) return 'onnxruntime WASM';
  let file: string;
  try {
    file = new URL(url).pathname;
  } catch {
    return url;
  }
  if (!modules.has(file)) {
    const path = join(BUILD, file);
    const starts: { from: number; path: string }[] = [];
    if (existsSync(path)) {
      readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
        const start = /^\/\/ (\S+\.(?:m?[jt]sx?))$/.exec(text);
        if (start) starts.push({ from: i, path: start[1] });
      });
    }
    modules.set(file, starts);
  }
  let found = file;
  for (const start of modules.get(file)!) if (start.from <= line) found = start.path;
  return found;
}

const PARTS: [string, (module: string) => boolean][] = [
  ['ORT kernels (WASM)', (m) => m === 'onnxruntime WASM'],
  ['ORT Emscripten glue (JS)', (m) => /ort-wasm-simd-threaded/.test(m)],
  ['ORT JS API (tensors in and out, run)', (m) => /onnxruntime-(web|common)/.test(m)],
  ['tokenizer', (m) => /tokenizers|src\/engine\/tokenizer\.ts/.test(m)],
  ['sampling', (m) => m.includes('src/engine/sampling.ts')],
  ['text stream', (m) => m.includes('src/engine/text-stream.ts')],
  ['worker messaging (JS, structured clone)', (m) => m.includes('src/worker-api/') || m.includes('src/client/')],
  ['engine loop (language-model.ts, gvt-engine.ts)', (m) => /src\/engine\/(language-model|gvt-engine|runtime)\.ts/.test(m)],
  ['garbage collection', (m) => m === '(garbage collector)'],
  ['V8/Blink outside JS ((program): message dispatch…)', (m) => m === '(program)'],
  ['idle (waiting)', (m) => m === '(idle)'],
];

const isIdle = (node: ProfileNode | undefined) => node?.callFrame.functionName === '(idle)';

export function splitTrace(events: TraceEvent[]): ThreadSplit[] {
  const threadNames = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name ?? '']));
  const profiles = new Map<string, ThreadSplit & { nodes: Map<number, ProfileNode>; samples: { id: number; ms: number }[] }>();
  for (const e of events) {
    const key = `${e.pid}:${e.id}`;
    if (e.name === 'Profile') {
      const thread = threadNames.get(`${e.pid}:${e.tid}`) ?? `${e.tid}`;
      profiles.set(key, { thread, nodes: new Map(), samples: [], parts: new Map(), functions: new Map(), insideOrt: 0 });
    }
    const profile = profiles.get(key);
    const data = e.args.data;
    if (e.name !== 'ProfileChunk' || !profile || !data) continue;
    for (const node of data.cpuProfile?.nodes ?? []) profile.nodes.set(node.id, node);
    const deltas = data.timeDeltas ?? [];
    // A sample stands for the time until the next one.
    (data.cpuProfile?.samples ?? []).forEach((id, i) => profile.samples.push({ id, ms: (deltas[i + 1] ?? deltas[i] ?? 0) / 1000 }));
  }
  for (const profile of profiles.values()) {
    // The trace runs on a moment before the first answer and after the last: that idle is not the answers'.
    const busy = profile.samples.map(({ id }) => !isIdle(profile.nodes.get(id)));
    const first = busy.indexOf(true);
    const last = busy.lastIndexOf(true);
    for (const { id, ms } of profile.samples.slice(first, last + 1)) addSample(profile, id, ms);
  }
  return [...profiles.values()];
}

function addSample(profile: ThreadSplit & { nodes: Map<number, ProfileNode> }, id: number, ms: number): void {
  let node = profile.nodes.get(id);
  const leaf = node?.callFrame.functionName ?? '';
  let module = /^\((program|idle|garbage collector)\)$/.test(leaf) ? leaf : '';
  let name = leaf;
  let ort = false;
  for (; node; node = node.parent === undefined ? undefined : profile.nodes.get(node.parent)) {
    const url = node.callFrame.url || (/^(wasm-function\[|\$)/.test(node.callFrame.functionName ?? '') ? 'wasm://' : '');
    if (!url) continue;
    const at = moduleAt(url, node.callFrame.lineNumber ?? 0);
    if (!module) {
      module = at;
      name = `${leaf || '(anonymous)'}${node.callFrame.functionName === leaf ? '' : ` in ${node.callFrame.functionName || '(anonymous)'}`} — ${at.replace(/^.*node_modules\//, '')}`;
    }
    if (/onnxruntime|ort-wasm/.test(at)) ort = true;
  }
  const part = PARTS.find(([, test]) => test(module))?.[0] ?? `other (${module.replace(/^.*node_modules\//, '')})`;
  profile.parts.set(part, (profile.parts.get(part) ?? 0) + ms);
  profile.functions.set(name, (profile.functions.get(name) ?? 0) + ms);
  if (ort) profile.insideOrt += ms;
}
