import type { ModelManifest, TaskName } from './manifest';
import { correctSpelling, type Correction } from '../shapes-world/spelling';

/** The template cut where the visual tokens and the question go. */
export interface PromptParts {
  /** Text before the visual tokens, e.g. `<Img>`. */
  beforeImage: string;
  /** Fixed text between the visual tokens and the question, e.g. `</Img>`. */
  afterImage: string;
  /** Fixed text after the question, e.g. a chat model's `Assistant:`. */
  afterQuestion: string;
}

export function splitTemplate(template: string): PromptParts {
  const [beforeImage, rest] = template.split('{image}');
  const [afterImage, afterQuestion] = rest.split('{question}');
  return { beforeImage, afterImage, afterQuestion };
}

/** What the user picked: a task and, for count / identify / vqa, its argument. */
export type TaskRequest =
  | { task: 'caption' }
  | { task: 'count'; object: string }
  | { task: 'identify'; object: string }
  | { task: 'vqa'; question: string };

/** The model's own prompt for a task, filled from the manifest's task templates. */
export function taskPrompt(tasks: ModelManifest['tasks'], request: TaskRequest): string {
  const template = tasks[request.task as TaskName];
  switch (request.task) {
    case 'caption':
      return template;
    case 'count':
    case 'identify':
      return template.replace('{object}', request.object.trim());
    case 'vqa':
      return template.replace('{question}', request.question.trim());
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The task `text` is typed out as, e.g. a count question, with the object it names; null when it is none of the model's task prompts. */
function typedTask(tasks: ModelManifest['tasks'], text: string): TaskRequest | null {
  for (const [task, template] of Object.entries(tasks) as [TaskName, string][]) {
    const pattern = escape(template).replace(/\\\{(object|question)\\\}/g, '(.+)');
    const match = new RegExp(`^${pattern}$`, 'i').exec(text);
    if (!match) continue;
    if (task === 'caption') return { task };
    if (task === 'vqa') return { task, question: match[1] };
    return { task, object: match[1] };
  }
  return null;
}

/**
 * The prompt for a free question to a Shapes World model, its typos in shape
 * and colour words put right (`corrections`): sent as typed when it already is
 * one of the model's task prompts (`How many stars are there in the image?`,
 * which then counts as that task), otherwise asked through the model's own VQA
 * template.
 */
export function freePrompt(tasks: ModelManifest['tasks'], question: string): { prompt: string; request: TaskRequest; corrections: Correction[] } {
  const { text, corrections } = correctSpelling(question.trim());
  const typed = typedTask(tasks, text);
  if (typed) return { prompt: text, request: typed, corrections };
  const request = { task: 'vqa', question: text } as const;
  return { prompt: taskPrompt(tasks, request), request, corrections };
}
