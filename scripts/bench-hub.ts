/**
 * npm run bench:hub [-- --model ID --dir DIR --image FILE --max-new-tokens N --runs N]
 *
 * Where the time of an answer goes, in Node: inside ONNX Runtime's
 * `session.run`, or in the code around it (image preprocessing, tokenizing,
 * the generation loop, sampling). Two engines side by side on the same CPU:
 *
 * - a catalogue model through the Hub engine (transformers.js, the path the
 *   app takes for Hub models), read from `--dir`: by default the test
 *   stand-in (tiny random weights: its session time is small, so the figure
 *   that carries over to real weights is the time outside the sessions); a
 *   folder `npm run models:pull` wrote holds the real weights;
 * - GVT-tiny through the app's own engine (src/engine), on a Shapes World scene.
 *
 * transformers.js here runs on onnxruntime-node, the app's engine on
 * onnxruntime-web's WASM build (Node has no WebGPU): compare the time
 * outside the sessions, not the session times. Then the Hub model's time to
 * first token on a new image and on a follow-up about it, which continues from
 * the cache of the prompt up to the image's last token. Prints figures; asserts nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { printTable } from './markdown-table';
import { RawImage } from '@huggingface/transformers';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { GREEDY } from '../src/engine/sampling';
import { findHubModel, modelFiles } from '../src/hub/catalogue';
import { HubVlm } from '../src/hub/hub-vlm';
import { loadEngine, readPng } from '../src/node/node-engine';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'HuggingFaceTB/SmolVLM-256M-Instruct' },
    dir: { type: 'string' },
    image: { type: 'string', default: '/usr/lib/python3/dist-packages/skimage/data/chelsea.png' },
    gvt: { type: 'string', default: join(ROOT, 'public/models/gvt-tiny') },
    'max-new-tokens': { type: 'string', default: '24' },
    runs: { type: 'string', default: '3' },
  },
});
const model = findHubModel(values.model!);
if (!model) throw new Error(`${values.model} is not in the catalogue.`);
const dir = resolve(values.dir ?? join(ROOT, 'test/fixtures/generated/hub', model.id));
for (const file of modelFiles(model, 'wasm')) {
  if (!existsSync(join(dir, file))) throw new Error(`${dir} lacks ${file}: pass --dir, a folder with ${model.id}'s files (npm run models:pull writes one).`);
}
const maxNewTokens = Number(values['max-new-tokens']);
const runs = Number(values.runs);

/** Adds up the time spent inside `session.run` of both runtimes (typed as factories; the classes underneath have the method). */
const inSessions = { ms: 0, calls: 0 };
type Runnable = { prototype: { run(...args: unknown[]): Promise<unknown> } };
for (const Session of new Set([ortNode.InferenceSession, ortWeb.InferenceSession] as unknown as Runnable[])) {
  const run = Session.prototype.run;
  Session.prototype.run = async function (this: unknown, ...args: unknown[]) {
    const start = performance.now();
    try {
      return await run.apply(this, args);
    } finally {
      inSessions.ms += performance.now() - start;
      inSessions.calls += 1;
    }
  };
}

interface Row {
  engine: string;
  loadMs: number;
  wallMs: number;
  sessionMs: number;
  calls: number;
  newTokens: number;
}

/** Median of `runs` answers (the first, which warms up, is not counted). */
async function measure(engine: string, loadMs: number, answer: () => Promise<number>): Promise<Row> {
  await answer();
  const rows: Row[] = [];
  for (let i = 0; i < runs; i++) {
    inSessions.ms = 0;
    inSessions.calls = 0;
    const start = performance.now();
    const newTokens = await answer();
    rows.push({ engine, loadMs, wallMs: performance.now() - start, sessionMs: inSessions.ms, calls: inSessions.calls, newTokens });
  }
  return rows.sort((a, b) => a.wallMs - b.wallMs)[Math.floor(rows.length / 2)];
}

const options = { maxNewTokens, temperature: 0, topP: 1 };
const rows: Row[] = [];

let start = performance.now();
const vlm = await HubVlm.load(model, async (path) => (existsSync(join(dir, path)) ? new Uint8Array(readFileSync(join(dir, path))) : null), 'wasm', { device: 'cpu' });
const hubLoadMs = performance.now() - start;
const photo = await RawImage.read(resolve(values.image!));
rows.push(await measure(`${model.name} (transformers.js)`, hubLoadMs, async () => (await vlm.answer({ key: `bench-${performance.now()}`, image: photo }, { task: 'caption' }, options, () => {})).stats.newTokens));

/** Time to first token of a question on a new image, then of a follow-up on it (the image prefix's cache kept). */
const firstTokens = { fresh: [] as number[], followUp: [] as number[] };
for (let i = 0; i < runs; i++) {
  const image = { key: `follow-up-${i}`, image: photo };
  firstTokens.fresh.push((await vlm.answer(image, { task: 'caption' }, options, () => {})).stats.firstTokenMs);
  const followUp = await vlm.answer(image, { task: 'vqa', question: 'What is in the picture?' }, options, () => {});
  if (!followUp.stats.prefixReused) throw new Error('the follow-up did not reuse the image prefix');
  firstTokens.followUp.push(followUp.stats.firstTokenMs);
}
await vlm.release();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

start = performance.now();
const gvt = await loadEngine(resolve(values.gvt!));
const gvtLoadMs = performance.now() - start;
const scene = await readPng(join(ROOT, 'bench/scene.png'));
const caption = gvt.manifest.tasks.caption;
rows.push(
  await measure('GVT-tiny (app engine)', gvtLoadMs, async () => {
    // A new image each time, as above: encode, prefill the prefix and the question, decode.
    const { tokens: visual } = await gvt.vision.encode(scene);
    return (await gvt.llm.answer(`bench-${performance.now()}`, visual, caption, { ...GREEDY, maxNewTokens })).stats.newTokens;
  }),
);
await gvt.release();

const header = ['engine', 'load ms', 'answer ms', 'in session.run ms', 'runs', 'outside ms', 'outside per token ms', 'tokens'];
const table = rows.map((r) => [
  r.engine,
  r.loadMs.toFixed(0),
  r.wallMs.toFixed(0),
  r.sessionMs.toFixed(0),
  String(r.calls),
  (r.wallMs - r.sessionMs).toFixed(0),
  ((r.wallMs - r.sessionMs) / Math.max(1, r.newTokens)).toFixed(2),
  String(r.newTokens),
]);
console.log(`\nWhere an answer's time goes (Node ${process.version}, median of ${runs}, caption, up to ${maxNewTokens} new tokens)`);
console.log(`Hub model files: ${dir}\n`);
printTable(header, table);
console.log(`\n${model.name}: time to first token, median of ${runs}\n`);
printTable(
  ['question', 'first token ms'],
  [
    ['on a new image (caption)', median(firstTokens.fresh).toFixed(0)],
    ['follow-up on the same image (from the image prefix cache)', median(firstTokens.followUp).toFixed(0)],
  ],
);
