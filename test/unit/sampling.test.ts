import { describe, expect, it } from 'vitest';
import { GREEDY, makeRng, sampleToken } from '../../src/engine/sampling';

const logits = () => Float32Array.of(1, 3, 2, 0.5);
const draw = (options: Parameters<typeof sampleToken>[1], n: number, previous: number[] = []) => {
  const rng = makeRng(7);
  return Array.from({ length: n }, () => sampleToken(logits(), options, previous, rng));
};

describe('sampleToken', () => {
  it('greedy picks the largest logit', () => {
    expect(sampleToken(logits(), GREEDY, [], Math.random)).toBe(1);
  });

  it('repetition penalty steers greedy away from a repeated token', () => {
    expect(sampleToken(logits(), { ...GREEDY, repetitionPenalty: 2 }, [1], Math.random)).toBe(2);
  });

  it('top-k 1 is greedy even at a high temperature', () => {
    expect(new Set(draw({ temperature: 5, topK: 1, topP: 1, repetitionPenalty: 1 }, 50))).toEqual(new Set([1]));
  });

  it('top-p keeps only the nucleus', () => {
    // softmax(1,3,2,0.5) ≈ .09,.66,.24,.05: top-p 0.8 keeps tokens 1 and 2.
    const seen = new Set(draw({ temperature: 1, topK: 0, topP: 0.8, repetitionPenalty: 1 }, 400));
    expect(seen).toEqual(new Set([1, 2]));
  });

  it('temperature sampling follows the softmax', () => {
    const counts = [0, 0, 0, 0];
    for (const id of draw({ temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 }, 4000)) counts[id]++;
    const p = counts.map((c) => c / 4000);
    expect(p[1]).toBeGreaterThan(0.6);
    expect(p[1]).toBeLessThan(0.72);
    expect(p[0]).toBeGreaterThan(0.06);
    expect(p[3]).toBeGreaterThan(0.02);
  });

  it('the same seed gives the same draws', () => {
    const options = { temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 };
    expect(draw(options, 30)).toEqual(draw(options, 30));
  });
});
