import type { ModelManifest, TaskName } from '../engine/manifest';
import { taskPrompt, type TaskRequest } from '../engine/prompt';

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
 * The prompt for a free question: sent as typed when it already is one of the
 * model's task prompts (`How many stars are there in the image?`, which then
 * counts as that task), otherwise asked through the model's own VQA template.
 */
export function freePrompt(tasks: ModelManifest['tasks'], question: string): { prompt: string; request: TaskRequest } {
  const text = question.trim();
  const typed = typedTask(tasks, text);
  if (typed) return { prompt: text, request: typed };
  const request = { task: 'vqa', question: text } as const;
  return { prompt: taskPrompt(tasks, request), request };
}
