/**
 * Runs a model package through the TypeScript engine in Node over a Shapes
 * World evaluation folder (questions.jsonl, images/, optional scenes.jsonl),
 * greedy, each image encoded once and its prefix reused across its questions.
 * Each question goes through the app's free-question path (`freePrompt`, what
 * the question box sends), so the score is what a visitor typing it gets.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePrompt } from '../engine/prompt';
import { GREEDY } from '../engine/sampling';
import { loadEngine, readPng } from '../node/node-engine';
import { scoreAnswer, summarize, type EvalQuestion, type Report, type ScoredAnswer } from './score';

export interface EvalOutput {
  report: Report;
  /** Images the scene check called not Shapes World (false alarms on a scene set); null without a scene check. */
  sceneFlags: { flagged: string[]; images: number } | null;
  answers: (EvalQuestion & { output: string; correct: boolean; f1?: number })[];
  seconds: number;
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

export async function evaluatePackage(
  modelDir: string,
  dataDir: string,
  options: { limit?: number; maxNewTokens?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<EvalOutput> {
  const start = performance.now();
  let questions = readJsonl<EvalQuestion>(join(dataDir, 'questions.jsonl'));
  if (options.limit) questions = questions.slice(0, options.limit);
  const objects = new Map<string, number>();
  const scenesPath = join(dataDir, 'scenes.jsonl');
  if (existsSync(scenesPath)) {
    for (const s of readJsonl<{ image: string; objects: unknown[] }>(scenesPath)) objects.set(s.image, s.objects.length);
  }
  // Questions grouped by image, so each image is encoded once.
  const byImage = new Map<string, EvalQuestion[]>();
  for (const q of questions) {
    if (!byImage.has(q.image)) byImage.set(q.image, []);
    byImage.get(q.image)!.push(q);
  }
  const engine = await loadEngine(modelDir);
  const maxNewTokens = options.maxNewTokens ?? engine.manifest.generation.max_new_tokens;
  const check = engine.manifest.scene_check;
  const flagged: string[] = [];
  const results: ScoredAnswer[] = [];
  const answers: EvalOutput['answers'] = [];
  try {
    for (const [image, qs] of byImage) {
      const { tokens: visual, sceneScore } = await engine.vision.encode(await readPng(join(dataDir, image)));
      if (check && sceneScore !== null && sceneScore < check.threshold) flagged.push(image);
      for (const [i, q] of qs.entries()) {
        const { prompt } = freePrompt(engine.manifest.tasks, q.question);
        const answer = await engine.llm.answer(image, i === 0 ? visual : null, prompt, { ...GREEDY, maxNewTokens });
        const scored = scoreAnswer(q, answer.text);
        results.push({ task: q.task, ...scored, objects: objects.get(image) });
        answers.push({ ...q, output: answer.text, ...scored });
        options.onProgress?.(answers.length, questions.length);
      }
    }
  } finally {
    await engine.release();
  }
  const sceneFlags = check ? { flagged, images: byImage.size } : null;
  return { report: summarize(results), sceneFlags, answers, seconds: (performance.now() - start) / 1000 };
}
