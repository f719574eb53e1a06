/**
 * How the app's tasks (Caption, Count, Identify, Ask) map onto each Hub
 * model's own prompt format, and how answers are read back. Plain data and
 * functions: the worker, the store and Node tests share them.
 */
import type { TaskRequest } from '../engine/prompt';
import type { Box } from '../engine/vlm-engine';
import type { HubArchitecture } from './catalogue';
import { article } from '../shapes-world/vocabulary';

/** The same tasks as for GVT packages; `vqa` is a free question. */
export type HubTask = TaskRequest['task'];

/** Why a model cannot do a task, or null when it can. */
export function unsupportedReason(architecture: HubArchitecture, task: HubTask): string | null {
  if (architecture === 'florence2' && task === 'vqa') {
    return 'Florence-2 only captions and detects objects; it does not answer free questions. Pick SmolVLM to ask.';
  }
  return null;
}

/** The text the user sees for a task, which for SmolVLM is also what the model is asked. */
export function taskQuestion(request: TaskRequest): string {
  switch (request.task) {
    case 'caption':
      return 'Describe this image in one sentence.';
    case 'count':
      return `How many ${request.object} are there in the image? Answer with a number.`;
    case 'identify':
      return `Is there ${article(request.object)} ${request.object} in the image? Answer yes or no.`;
    case 'vqa':
      return request.question;
  }
}

/** Florence-2 answers task tokens, not sentences: captions and detection (which Count and Identify read). */
export function florenceTaskToken(task: HubTask): '<MORE_DETAILED_CAPTION>' | '<OD>' {
  return task === 'caption' ? '<MORE_DETAILED_CAPTION>' : '<OD>';
}

/**
 * Each model's settings as its own examples run it. SmolVLM: greedy, repetition
 * penalty 1.1, up to 1024 new tokens (huggingface/transformers.js-examples,
 * smolvlm-webgpu/src/worker.js). Florence-2: up to 1024 new tokens for every
 * task (its usage examples, as copied in tuandung222/Internship-1
 * examples/example_florence_2.py and JinSeoung-Oh/Reference
 * MultiModal/Florence_2.py).
 */
const MAX_NEW_TOKENS = 1024;
/** SmolVLM's demo uses 1.1; LFM2.5-VL's card recommends 1.05 (https://huggingface.co/LiquidAI/LFM2.5-VL-450M). */
const REPETITION_PENALTY: Partial<Record<HubArchitecture, number>> = { smolvlm: 1.1, lfm2_vl: 1.05 };

export function repetitionPenalty(architecture: HubArchitecture): number | undefined {
  return REPETITION_PENALTY[architecture];
}

/**
 * How many tokens an answer may take: the user's limit, or the model's own.
 * Florence-2's `<OD>` list (5–6 tokens a box) always gets the model's: Count and
 * Identify read the whole list, and a list cut short undercounts.
 */
export function answerLimit(architecture: HubArchitecture, task: HubTask, userLimit?: number): number {
  if (architecture === 'florence2' && florenceTaskToken(task) === '<OD>') return MAX_NEW_TOKENS;
  return userLimit ?? MAX_NEW_TOKENS;
}

/** `cats` → `cat`, `boxes` → `box`, `people` → `person`: enough to match a detector's labels to what a user typed. */
export function singular(word: string): string {
  const w = word.trim().toLowerCase();
  const irregular: Record<string, string> = { people: 'person', men: 'man', women: 'woman', children: 'child', mice: 'mouse', geese: 'goose' };
  if (irregular[w]) return irregular[w];
  if (/(ss|us|is)$/.test(w)) return w;
  if (/(ch|sh|x|z|s)es$/.test(w)) return w.slice(0, -2);
  if (/[^aeiou]ies$/.test(w)) return `${w.slice(0, -3)}y`;
  if (w.endsWith('s')) return w.slice(0, -1);
  return w;
}

const ANY_OBJECT = new Set(['', 'object', 'objects', 'thing', 'things', 'all objects', 'everything']);

/** The boxes whose label names `object` (every box for "objects"). */
export function matchingBoxes(boxes: Box[], object: string): Box[] {
  const wanted = object.trim().toLowerCase();
  if (ANY_OBJECT.has(wanted)) return boxes;
  const target = wanted.split(/\s+/).map(singular).join(' ');
  return boxes.filter((b) => {
    const label = b.label.toLowerCase().split(/\s+/).map(singular).join(' ');
    return label === target || label.endsWith(` ${target}`) || target.endsWith(` ${label}`);
  });
}

/**
 * Florence-2's `<OD>` output, e.g. `car<loc_52><loc_335><loc_389><loc_780>`,
 * to boxes. Coordinates are bins of 1/1000 of the image side; a label may be
 * left out to repeat the one before, as Florence-2's processor reads it.
 */
export function parseFlorenceBoxes(text: string, width: number, height: number): Box[] {
  const boxes: Box[] = [];
  const pattern = /([^<]*)<loc_(\d+)><loc_(\d+)><loc_(\d+)><loc_(\d+)>/g;
  const clean = text.replaceAll('<s>', '').replaceAll('</s>', '').replaceAll('<pad>', '');
  for (const [, rawLabel, ...bins] of clean.matchAll(pattern)) {
    const label = rawLabel.trim() || boxes.at(-1)?.label || '';
    const [x1, y1, x2, y2] = bins.map((b, i) => ((Number(b) + 0.5) / 1000) * (i % 2 === 0 ? width : height));
    boxes.push({ label, x1, y1, x2, y2 });
  }
  return boxes;
}

/** A detection-based task's answer: its text and the boxes that match what was asked. */
export function detectionAnswer(request: Extract<TaskRequest, { task: 'count' | 'identify' }>, boxes: Box[]): { text: string; found: Box[] } {
  const found = matchingBoxes(boxes, request.object);
  if (request.task === 'count') return { text: `${found.length} ${request.object}.`, found };
  if (found.length > 0) return { text: `Yes. Found ${found.length}.`, found };
  const seen = [...new Set(boxes.map((b) => b.label))];
  return { text: seen.length ? `No. It found: ${seen.join(', ')}.` : 'No. It found nothing it knows.', found };
}
