import { describe, expect, it } from 'vitest';
import { splitTemplate, taskPrompt } from '../../src/engine/prompt';
import { freePrompt } from '../../src/engine/prompt';

const tasks = {
  caption: 'Describe the image in detail in a sentence: This is an image of',
  count: 'How many {object} are there in the image?',
  identify: 'Does {object} exist in the image?',
  vqa: 'Question: {question} Answer:',
};

describe('prompt assembly', () => {
  it('splits the GVT template into image prefix and question', () => {
    expect(splitTemplate('<Img>{image}</Img>{question}')).toEqual({ beforeImage: '<Img>', afterImage: '</Img>', afterQuestion: '' });
  });

  it('keeps text around a chat question', () => {
    expect(splitTemplate('User:{image}{question}\nAssistant:')).toEqual({ beforeImage: 'User:', afterImage: '', afterQuestion: '\nAssistant:' });
  });

  it('fills the paper task prompts', () => {
    expect(taskPrompt(tasks, { task: 'caption' })).toBe(tasks.caption);
    expect(taskPrompt(tasks, { task: 'count', object: 'red stars ' })).toBe('How many red stars are there in the image?');
    expect(taskPrompt(tasks, { task: 'identify', object: 'a blue square' })).toBe('Does a blue square exist in the image?');
    expect(taskPrompt(tasks, { task: 'vqa', question: ' What color is the star?' })).toBe('Question: What color is the star? Answer:');
  });

  it('sends a typed-out task prompt as that task, with the object it names; anything else through the VQA template', () => {
    expect(freePrompt(tasks, ' How many red stars are there in the image? ')).toEqual({
      prompt: 'How many red stars are there in the image?',
      request: { task: 'count', object: 'red stars' },
      corrections: [],
    });
    expect(freePrompt(tasks, 'does a blue square exist in the image?').request).toEqual({ task: 'identify', object: 'a blue square' });
    expect(freePrompt(tasks, tasks.caption).request).toEqual({ task: 'caption' });
    expect(freePrompt(tasks, 'What color is the star?')).toEqual({
      prompt: 'Question: What color is the star? Answer:',
      request: { task: 'vqa', question: 'What color is the star?' },
      corrections: [],
    });
  });

  it('sends a question with its typos put right: a template with a typo still counts as that task', () => {
    expect(freePrompt(tasks, 'How many pruple cirlces are there in the image?')).toEqual({
      prompt: 'How many purple circles are there in the image?',
      request: { task: 'count', object: 'purple circles' },
      corrections: [
        { from: 'pruple', to: 'purple' },
        { from: 'cirlces', to: 'circles' },
      ],
    });
    expect(freePrompt(tasks, 'what colour is the sqaure').prompt).toBe('Question: what colour is the square Answer:');
  });
});
