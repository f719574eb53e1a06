/**
 * The engine on real ONNX sessions (onnxruntime-web's WASM backend in Node),
 * against the random-weight test package and the PyTorch reference that the
 * exporter wrote beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationOptions } from '../../src/engine/language-model';
import { preprocess } from '../../src/engine/image';
import { GREEDY } from '../../src/engine/sampling';
import { loadEngine, readPng, type NodeEngine } from '../../src/node/node-engine';
import { TEST_PACKAGE } from '../support/paths';

interface ReferenceAnswer {
  question: string;
  ids_before: number[];
  ids_after: number[];
  question_ids: number[];
  generated_ids: number[];
  text: string;
  stop_reason: string;
}
const reference = JSON.parse(readFileSync(join(TEST_PACKAGE, 'reference.json'), 'utf8')) as {
  max_new_tokens: number;
  pixel_values_head: number[];
  image_features_head: number[];
  scene_score: number;
  answers: ReferenceAnswer[];
};

let engine: NodeEngine;
let visual: Float32Array;
const greedy = (maxNewTokens: number): GenerationOptions => ({ ...GREEDY, maxNewTokens });

beforeAll(async () => {
  engine = await loadEngine(TEST_PACKAGE);
  visual = (await engine.vision.encode(await readPng(join(TEST_PACKAGE, 'reference.png')))).tokens;
});
afterAll(() => engine?.release());

describe('parity with the PyTorch reference', () => {
  it('preprocesses the image to the same pixel values', async () => {
    const pixels = preprocess(await readPng(join(TEST_PACKAGE, 'reference.png')), engine.manifest.image);
    reference.pixel_values_head.forEach((v, i) => expect(pixels[i]).toBeCloseTo(v, 5));
  });

  it('gives the same visual tokens', () => {
    reference.image_features_head.forEach((v, i) => expect(visual[i]).toBeCloseTo(v, 4));
  });

  it('gives the same scene-check score', async () => {
    const { sceneScore } = await engine.vision.encode(await readPng(join(TEST_PACKAGE, 'reference.png')));
    expect(sceneScore).toBeCloseTo(reference.scene_score, 4);
  });

  it('letterboxes a 16:9 image as training does: proportions kept, padded with the border colour', async () => {
    const { image } = engine.manifest;
    const size = image.size;
    const pixels = preprocess(await readPng(join(TEST_PACKAGE, 'reference-wide.png')), image);
    const fitted = await readPng(join(TEST_PACKAGE, 'reference-wide-fitted.png'));
    let worst = 0;
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < size * size; i++) {
        const level = (pixels[c * size * size + i] * image.std[c] + image.mean[c]) * 255;
        worst = Math.max(worst, Math.abs(level - fitted.data[i * 4 + c]));
      }
    }
    // PIL rounds between its two resize passes, the engine only at the end.
    expect(worst).toBeLessThanOrEqual(2);
  });

  it.each(reference.answers.map((a) => [a.question, a] as const))('builds the same prompt ids for "%s"', (question, expected) => {
    const ids = engine.llm.promptIds(question);
    expect(ids).toEqual({ beforeImage: expected.ids_before, afterImage: expected.ids_after, question: expected.question_ids });
  });

  it.each(reference.answers.map((a) => [a.question, a] as const))('generates the same greedy tokens for "%s"', async (question, expected) => {
    const answer = await engine.llm.answer(`parity-${question}`, visual, question, greedy(reference.max_new_tokens));
    expect(answer.tokenIds).toEqual(expected.generated_ids);
    expect(answer.text).toBe(expected.text);
  });
});

describe('KV cache and prefix reuse', () => {
  it('a follow-up with the cached image prefix yields exactly the tokens of a fresh prefill', async () => {
    const [first, second] = reference.answers.map((a) => a.question);
    const key = 'reuse';
    const opening = await engine.llm.answer(key, visual, first, greedy(24));
    const followUp = await engine.llm.answer(key, null, second, greedy(24));
    const fresh = await engine.llm.answer('fresh', visual, second, greedy(24));

    expect(opening.stats.prefixReused).toBe(false);
    expect(followUp.stats.prefixReused).toBe(true);
    expect(fresh.stats.prefixReused).toBe(false);
    expect(followUp.tokenIds).toEqual(fresh.tokenIds);
    expect(followUp.tokenIds.length).toBe(24);
    // Only the question's own tokens were prefilled on the follow-up.
    expect(followUp.stats.prefillTokens).toBe(engine.llm.promptIds(second).question.length);
    expect(fresh.stats.prefillTokens).toBeGreaterThan(followUp.stats.prefillTokens + engine.manifest.visual_tokens.count);
  });

  it('streams text that adds up to the answer', async () => {
    const deltas: string[] = [];
    const answer = await engine.llm.answer('stream', visual, reference.answers[0].question, greedy(20), (d) => deltas.push(d));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(answer.text);
  });

  it('stops when cancelled and keeps what it had produced', async () => {
    const controller = new AbortController();
    const deltas: string[] = [];
    const answer = await engine.llm.answer(
      'cancel',
      visual,
      reference.answers[0].question,
      greedy(100),
      (delta) => {
        deltas.push(delta);
        if (deltas.length === 2) controller.abort();
      },
      controller.signal,
    );
    expect(answer.stats.stopReason).toBe('cancelled');
    expect(answer.text).toBe(deltas.join(''));
    // Generation ends at the abort: 100 were allowed, and the uncut answer runs on (see the reference).
    expect(answer.tokenIds.length).toBeLessThan(8);
  });

  it('stops at max new tokens and at the model context length', async () => {
    const short = await engine.llm.answer('max', visual, 'Hi', greedy(5));
    expect(short.tokenIds.length).toBe(5);
    expect(short.stats.stopReason).toBe('max_tokens');
    const long = 'word '.repeat(400);
    await expect(engine.llm.answer('max', visual, long, greedy(5))).rejects.toThrow(/too long for this model.*Shorten the question/);
  });

  it('sampling with a seed is reproducible and differs from greedy', async () => {
    const options: GenerationOptions = { temperature: 1.5, topK: 50, topP: 0.95, repetitionPenalty: 1.1, maxNewTokens: 16, seed: 42 };
    const a = await engine.llm.answer('sample', visual, 'What is this?', options);
    const b = await engine.llm.answer('sample', visual, 'What is this?', options);
    const g = await engine.llm.answer('sample', visual, 'What is this?', greedy(16));
    expect(a.tokenIds).toEqual(b.tokenIds);
    expect(a.tokenIds).not.toEqual(g.tokenIds);
  });

  it('types any text without error: unknown words fall back to bytes, read case-blind', () => {
    const ids = engine.llm.tokenizer.encode('Qu’est-ce que c’est? 🦒 zebra-like');
    expect(ids.length).toBeGreaterThan(5);
    // The tokenizer's Lowercase normalizer: the model reads "IS THERE" as "is there".
    expect(engine.llm.tokenizer.decode(ids)).toBe('qu’est-ce que c’est? 🦒 zebra-like');
    expect(engine.llm.tokenizer.encode('IS THERE A RED CIRCLE?')).toEqual(engine.llm.tokenizer.encode('is there a red circle?'));
  });
});

describe('the engine interface (what the model worker serves)', () => {
  const image = async () => ({ image: await readPng(join(TEST_PACKAGE, 'reference.png')), orientation: 1 });
  const options = { temperature: 0, topP: 1, maxNewTokens: 8 };

  it('answers a follow-up about an image it has looked at without the image, from the cached prefix', async () => {
    const report = await engine.engine.look('interface-a', await image());
    expect(report.sceneScore).toBeCloseTo(reference.scene_score, 4);
    const first = await engine.engine.answer('interface-a', null, { task: 'caption' }, options, () => {});
    const again = await engine.engine.answer('interface-a', null, { task: 'caption' }, options, () => {});
    expect(again.stats.prefixReused).toBe(true);
    expect(again.tokenIds).toEqual(first.tokenIds);
  });

  it('asks for the image when it has not got it, and takes it with the question', async () => {
    await expect(engine.engine.answer('interface-b', null, { task: 'caption' }, options, () => {})).rejects.toThrow(/has not seen image interface-b/);
    const answer = await engine.engine.answer('interface-b', await image(), { task: 'caption' }, options, () => {});
    expect(answer.stats.prefixReused).toBe(false);
  });

  it('turns each task into the manifest prompt; a typed task prompt counts as that task', async () => {
    const ask = (request: Parameters<NodeEngine['engine']['answer']>[2]) => engine.engine.answer('interface-a', null, request, options, () => {});
    const { tasks } = engine.manifest;
    expect((await ask({ task: 'caption' })).prompt).toBe(tasks.caption);
    expect((await ask({ task: 'count', object: 'red stars' })).prompt).toBe(tasks.count.replace('{object}', 'red stars'));
    expect((await ask({ task: 'identify', object: 'orange circle' })).prompt).toBe(tasks.identify.replace('{object}', 'an orange circle'));
    const typed = await ask({ task: 'vqa', question: tasks.count.replace('{object}', 'stars') });
    expect(typed.task).toBe('count');
    const free = await ask({ task: 'vqa', question: 'What colour is the square?' });
    expect(free.task).toBe('vqa');
    expect(free.prompt).toBe(tasks.vqa.replace('{question}', 'What colour is the square?'));
  });
});
