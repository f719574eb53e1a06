/**
 * Shapes World scoring (GVTBench's rules): count by the first integer (number
 * words count), identify by yes/no containment, vqa by normalised exact match,
 * captions parsed back to a multiset of (count, colour, shape) groups for
 * exact match and group F1. training/gvt/score.py applies the same rules in
 * Python. The words come from the Shapes World vocabulary.
 */
import { COLORS, NUMBER_WORDS, numberFromWord, SHAPES } from '../shapes-world/vocabulary';

export type Task = 'count' | 'identify' | 'vqa' | 'caption';

const INTEGER = new RegExp(`\\d+|\\b(?:${NUMBER_WORDS.join('|')})\\b`, 'i');

/** The first integer in the text, digits or a number word zero-nine; null when none. */
export function firstInteger(text: string): number | null {
  const m = INTEGER.exec(text);
  return m ? numberFromWord(m[0]) : null;
}

/** Yes or No in an identify answer, as GVTBench reads it (the word, any case); null when it says neither. */
export function yesOrNo(text: string): 'Yes' | 'No' | null {
  const match = /\b(yes|no)\b/i.exec(text);
  return match ? (match[1].toLowerCase() === 'yes' ? 'Yes' : 'No') : null;
}

export function scoreCount(output: string, answer: string): boolean {
  return firstInteger(output) === Number.parseInt(answer, 10);
}

export function scoreIdentify(output: string, answer: string): boolean {
  const out = output.toLowerCase();
  return answer.toLowerCase().startsWith('yes') ? out.includes('yes') : out.includes('no');
}

/** Lower-case, punctuation to spaces, whitespace collapsed. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}

export function scoreVqa(output: string, answer: string): boolean {
  return normalize(output) === normalize(answer);
}

/** A caption's groups as "count colour shape" keys with their multiplicity. */
export function parseCaption(text: string): Map<string, number> {
  const groups = new Map<string, number>();
  const re = new RegExp(`\\b(\\w+) (${COLORS.join('|')}) (${SHAPES.join('|')})s?\\b`, 'g');
  for (const m of normalize(text).matchAll(re)) {
    const n = numberFromWord(m[1]);
    if (n === null) continue;
    const key = `${n} ${m[2]} ${m[3]}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return groups;
}

/** Exact multiset match and group-level F1 of a caption against the truth. */
export function scoreCaption(output: string, answer: string): { exact: boolean; f1: number } {
  const predicted = parseCaption(output);
  const truth = parseCaption(answer);
  let overlap = 0;
  let nPred = 0;
  let nTruth = 0;
  for (const [key, n] of predicted) {
    nPred += n;
    overlap += Math.min(n, truth.get(key) ?? 0);
  }
  for (const n of truth.values()) nTruth += n;
  const precision = nPred ? overlap / nPred : 0;
  const recall = nTruth ? overlap / nTruth : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  const exact = predicted.size === truth.size && [...truth].every(([k, n]) => predicted.get(k) === n);
  return { exact, f1 };
}

export interface EvalQuestion {
  id: string;
  image: string;
  task: Task;
  question: string;
  answer: string;
}

export interface ScoredAnswer {
  task: Task;
  correct: boolean;
  f1?: number;
  /** Objects in the scene, when known (for count by number of objects). */
  objects?: number;
}

export function scoreAnswer(q: Pick<EvalQuestion, 'task' | 'answer'>, output: string): { correct: boolean; f1?: number } {
  switch (q.task) {
    case 'count':
      return { correct: scoreCount(output, q.answer) };
    case 'identify':
      return { correct: scoreIdentify(output, q.answer) };
    case 'vqa':
      return { correct: scoreVqa(output, q.answer) };
    case 'caption': {
      const { exact, f1 } = scoreCaption(output, q.answer);
      return { correct: exact, f1 };
    }
  }
}

export interface Report {
  count: number | null;
  identify: number | null;
  vqa: number | null;
  caption_exact: number | null;
  caption_f1: number | null;
  n: Record<Task, number>;
  /** Count accuracy by the number of objects in the scene (1-9), when scenes are known. */
  count_by_objects: Record<string, { n: number; accuracy: number }>;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function summarize(results: ScoredAnswer[]): Report {
  const of = (task: Task) => results.filter((r) => r.task === task);
  const acc = (task: Task) => mean(of(task).map((r) => (r.correct ? 1 : 0)));
  const byObjects: Report['count_by_objects'] = {};
  for (const r of of('count')) {
    if (r.objects === undefined) continue;
    const key = String(r.objects);
    byObjects[key] ??= { n: 0, accuracy: 0 };
    byObjects[key].n += 1;
    byObjects[key].accuracy += r.correct ? 1 : 0;
  }
  for (const v of Object.values(byObjects)) v.accuracy /= v.n;
  return {
    count: acc('count'),
    identify: acc('identify'),
    vqa: acc('vqa'),
    caption_exact: acc('caption'),
    caption_f1: mean(of('caption').map((r) => r.f1 ?? 0)),
    n: { count: of('count').length, identify: of('identify').length, vqa: of('vqa').length, caption: of('caption').length },
    count_by_objects: byObjects,
  };
}
