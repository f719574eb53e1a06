import type { ModelManifest, TaskName } from './manifest';

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
