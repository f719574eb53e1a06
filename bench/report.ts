/** What `npm run bench` prints: warm figures beside native, cold first use, memory, targets and answers compared. */
import { printTable } from '../scripts/markdown-table';
import type { BenchRun, Figures } from './protocol';

export const NAMES = { native: 'native (Node, onnxruntime-node)', node_wasm: 'Node WASM (onnxruntime-web)', wasm1: 'WASM 1 thread', wasm2: 'WASM 2 threads', webgpu: 'WebGPU (SwiftShader)' } as const;
export type RunName = keyof typeof NAMES;
export type Outcome = BenchRun | { error: string };

const FIGURES: [keyof Figures, string, 'ms' | 'rate'][] = [
  ['encode_ms', 'encode ms', 'ms'],
  ['prefill_tok_s', 'prefill tok/s', 'rate'],
  ['decode_tok_s', 'decode tok/s', 'rate'],
  ['ttft_ms', 'TTFT first ms', 'ms'],
  ['followup_ttft_ms', 'TTFT follow-up ms', 'ms'],
  ['count_answer_ms', 'count answer ms', 'ms'],
];

const fmt = (v: number | null | undefined, digits = 1) => (v == null || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
/** A figure as a share of native speed: rate over rate, or native time over time. */
const share = (v: number | null, native: number | null, kind: 'ms' | 'rate') =>
  v == null || native == null ? null : kind === 'rate' ? (100 * v) / native : (100 * native) / v;

export function printReport(runs: Partial<Record<RunName, Outcome>>): void {
  const ok = (name: RunName) => {
    const r = runs[name];
    return r && !('error' in r) ? r : null;
  };
  const native = ok('native');
  const names = Object.keys(runs) as RunName[];

  console.log('\nWarm medians (in brackets: the share of native speed)\n');
  printTable(
    ['run', ...FIGURES.map(([, label]) => label)],
    names.map((name) => {
      const r = runs[name]!;
      if ('error' in r) return [NAMES[name], `failed: ${r.error}`, ...FIGURES.slice(1).map(() => '')];
      return [
        NAMES[name],
        ...FIGURES.map(([key, , kind]) => {
          const pct = name === 'native' ? null : share(r[key], native?.[key] ?? null, kind);
          return `${fmt(r[key], kind === 'rate' ? 0 : 1)}${pct == null ? '' : ` (${pct.toFixed(0)} %)`}`;
        }),
      ];
    }),
  );

  console.log('\nCold first use, samples behind the medians, answers against native\n');
  printTable(
    ['run', 'load ms', 'first encode ms', 'first TTFT ms', 'encode while answering ms', 'encodes', 'answers', 'prefill tok', 'decode tok', 'same answers as native'],
    names.flatMap((name) => {
      const r = ok(name);
      if (!r) return [];
      const keys = Object.keys(r.texts).filter((k) => native && k in native.texts);
      const same = keys.filter((k) => native!.texts[k] === r.texts[k]).length;
      return [[NAMES[name], fmt(r.cold.load_ms, 0), fmt(r.cold.encode_ms), fmt(r.cold.ttft_ms), fmt(r.encode_while_answering_ms), `${r.samples.encodes}`, `${r.samples.answers}`, `${r.samples.prefill_tokens}`, `${r.samples.decode_tokens}`, `${same}/${keys.length}`]];
    }),
  );

  const withMemory = names.filter((name) => ok(name)?.memory);
  if (withMemory.length) {
    console.log('\nMemory before and after answers in a row (JS heap: page and workers; WASM: onnxruntime\'s memory)\n');
    printTable(
      ['run', 'answers', 'JS heap MB start', 'JS heap MB end', 'WASM MB start', 'WASM MB end'],
      withMemory.map((name) => {
        const m = ok(name)!.memory!;
        return [NAMES[name], `${m.answers}`, fmt(m.start.jsHeapMB), fmt(m.end.jsHeapMB), fmt(m.start.wasmMB), fmt(m.end.wasmMB)];
      }),
    );
  }

  const nodeWasm = ok('node_wasm');
  const checked = (['wasm1', 'wasm2'] as const).filter((name) => ok(name));
  if (checked.length && native) {
    console.log("\nThe issue's targets (WASM, warm)\n");
    const row = (label: string, test: (r: BenchRun) => [string, boolean]) => [
      label,
      ...checked.map((name) => {
        const [text, met] = test(ok(name)!);
        return `${text} ${met ? 'met' : 'short'}`;
      }),
    ];
    const notSlower = (r: BenchRun) =>
      nodeWasm ? FIGURES.filter(([key, , kind]) => r[key] != null && nodeWasm[key] != null && (share(r[key], nodeWasm[key], kind) ?? 100) < 100).map(([, label]) => label) : [];
    printTable(['target', ...checked.map((name) => NAMES[name])], [
      row('decode ≥ 50 % of native tok/s', (r) => [`${fmt(share(r.decode_tok_s, native.decode_tok_s, 'rate'), 0)} %`, (share(r.decode_tok_s, native.decode_tok_s, 'rate') ?? 0) >= 50]),
      row('encode ≤ 2× native ms', (r) => [`${fmt((r.encode_ms ?? NaN) / (native.encode_ms ?? NaN), 2)}×`, (r.encode_ms ?? Infinity) <= 2 * (native.encode_ms ?? 0)]),
      row('count on a new image ≤ 40 ms', (r) => [`${fmt(r.count_answer_ms)} ms`, (r.count_answer_ms ?? Infinity) <= 40]),
      row('follow-up first token ≤ 5 ms', (r) => [`${fmt(r.followup_ttft_ms)} ms`, (r.followup_ttft_ms ?? Infinity) <= 5]),
      row('no figure slower than Node WASM', (r) => {
        const slower = notSlower(r);
        return [slower.length ? `slower: ${slower.join(', ')};` : 'none slower;', nodeWasm !== null && slower.length === 0];
      }),
    ]);
  }
}

/** The `--json` line: each run's six figures (null where a run failed or a figure does not apply). */
export function jsonLine(runs: Partial<Record<RunName, Outcome>>): string {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(NAMES) as RunName[]) {
    const r = runs[name];
    const figures = Object.fromEntries(FIGURES.map(([key]) => [key, r && !('error' in r) ? r[key] : null]));
    out[name] = r && 'error' in r ? { ...figures, error: r.error } : { ...figures, cold: r?.cold ?? null, memory: r?.memory ?? null };
  }
  return JSON.stringify(out);
}
