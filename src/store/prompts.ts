import type { ModelManifest, TaskName } from '../engine/manifest';
import { taskPrompt } from '../engine/prompt';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** True when `text` already has the shape of one of the model's task prompts, e.g. a count question typed out. */
function isTaskPrompt(tasks: ModelManifest['tasks'], text: string): TaskName | null {
  for (const [task, template] of Object.entries(tasks) as [TaskName, string][]) {
    const pattern = escape(template).replace(/\\\{(object|question)\\\}/g, '.+');
    if (new RegExp(`^${pattern}$`, 'i').test(text.trim())) return task;
  }
  return null;
}

/**
 * The prompt for a free question: sent as typed when it already is one of the
 * model's task prompts (`How many stars are there in the image?`), otherwise
 * asked through the model's own VQA template.
 */
export function freePrompt(tasks: ModelManifest['tasks'], question: string): { prompt: string; task: TaskName } {
  const text = question.trim();
  const task = isTaskPrompt(tasks, text);
  if (task) return { prompt: text, task };
  return { prompt: taskPrompt(tasks, { task: 'vqa', question: text }), task: 'vqa' };
}
