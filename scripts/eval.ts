/**
 * npm run eval -- --data DIR [--model DIR] [--json] [--limit N] [--errors N]
 *
 * Scores a model package (default public/models/gvt-tiny) on a Shapes World
 * evaluation folder through the same TypeScript engine the browser runs
 * (onnxruntime-web, WASM, in Node), greedy, each question sent as the question
 * box sends it. Prints per-task scores and how many images the scene check
 * called not a scene; with --json the last line is one JSON object with count,
 * identify, vqa, caption_exact, caption_f1 (fractions 0-1) and scene_flagged.
 */
import { resolve } from 'node:path';
import { evaluatePackage } from '../src/eval/evaluate';

function parseArgs(argv: string[]) {
  const args: { data?: string; model: string; json: boolean; limit?: number; errors: number } = {
    model: 'public/models/gvt-tiny',
    json: false,
    errors: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--data') args.data = value();
    else if (a === '--model') args.model = value();
    else if (a === '--json') args.json = true;
    else if (a === '--limit') args.limit = Number(value());
    else if (a === '--errors') args.errors = Number(value());
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run eval -- --data DIR [--model DIR] [--json] [--limit N] [--errors N]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!args.data) throw new Error('--data DIR is required (make one with: npm run eval:make -- --out DIR --n 2000 --seed 1)');
  return { ...args, data: args.data };
}

const pct = (x: number | null) => (x === null ? '   -  ' : `${(100 * x).toFixed(2).padStart(6)}%`);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { report, sceneFlags, answers, seconds } = await evaluatePackage(resolve(args.model), resolve(args.data), {
    limit: args.limit,
    onProgress: args.json
      ? undefined
      : (done, total) => {
          if (done % 200 === 0 || done === total) process.stderr.write(`\r${done}/${total}`);
        },
  });
  if (!args.json) process.stderr.write('\n');
  const lines = [
    `model ${args.model}  data ${args.data}  ${answers.length} questions in ${seconds.toFixed(1)} s`,
    `count          ${pct(report.count)}  (n=${report.n.count})`,
    ...Object.entries(report.count_by_objects)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([k, v]) => `  ${k} object${k === '1' ? ' ' : 's'}    ${pct(v.accuracy)}  (n=${v.n})`),
    `identify       ${pct(report.identify)}  (n=${report.n.identify})`,
    `vqa            ${pct(report.vqa)}  (n=${report.n.vqa})`,
    `caption exact  ${pct(report.caption_exact)}  (n=${report.n.caption})`,
    `caption F1     ${pct(report.caption_f1)}`,
    sceneFlags
      ? `scene check    ${sceneFlags.flagged.length} of ${sceneFlags.images} images called not a scene${sceneFlags.flagged.length ? ` (${sceneFlags.flagged.slice(0, 5).join(', ')})` : ''}`
      : 'scene check    none in this package',
  ];
  const wrong = answers.filter((a) => !a.correct).slice(0, args.errors);
  for (const a of wrong) lines.push(`  x ${a.id} ${a.task}: ${JSON.stringify(a.question)} -> ${JSON.stringify(a.output)} (truth ${JSON.stringify(a.answer)})`);
  for (const line of lines) (args.json ? console.error : console.log)(line);
  if (args.json) {
    const { count, identify, vqa, caption_exact, caption_f1 } = report;
    const scene_flagged = sceneFlags ? sceneFlags.flagged.length : null;
    console.log(JSON.stringify({ count, identify, vqa, caption_exact, caption_f1, n: answers.length, scene_flagged, count_by_objects: report.count_by_objects }));
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
