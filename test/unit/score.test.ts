import { describe, expect, it } from 'vitest';
import { firstInteger, normalize, parseCaption, scoreCaption, scoreCount, scoreIdentify, scoreVqa, summarize } from '../../src/eval/score';

describe('count', () => {
  it('takes the first integer, digits or number words', () => {
    expect(firstInteger(' 3')).toBe(3);
    expect(firstInteger('There are three stars, not 4.')).toBe(3);
    expect(firstInteger('Seven.')).toBe(7);
    expect(firstInteger('12 or so')).toBe(12);
    expect(firstInteger('none')).toBeNull();
    expect(firstInteger('someone')).toBeNull(); // "one" inside a word is no number
  });
  it('scores exact matches only', () => {
    expect(scoreCount(' 3', '3')).toBe(true);
    expect(scoreCount(' 0', '0')).toBe(true);
    expect(scoreCount(' 4', '3')).toBe(false);
    expect(scoreCount('', '3')).toBe(false);
  });
});

describe('identify', () => {
  it('checks yes / no containment, case-insensitive', () => {
    expect(scoreIdentify(' Yes.', 'Yes.')).toBe(true);
    expect(scoreIdentify(' No.', 'Yes.')).toBe(false);
    expect(scoreIdentify(' No.', 'No.')).toBe(true);
    expect(scoreIdentify('YES', 'Yes.')).toBe(true);
    expect(scoreIdentify(' Yes.', 'No.')).toBe(false);
  });
});

describe('vqa', () => {
  it('lower-cases and strips punctuation', () => {
    expect(normalize(' Red.')).toBe('red');
    expect(scoreVqa(' red', 'red')).toBe(true);
    expect(scoreVqa(' Red!', 'red')).toBe(true);
    expect(scoreVqa(' blue', 'red')).toBe(false);
    expect(scoreVqa(' 3', '3')).toBe(true);
  });
});

describe('caption', () => {
  const truth = 'two red circles, one blue square and one yellow star.';
  it('parses a canonical caption into (count, colour, shape) groups', () => {
    expect(Object.fromEntries(parseCaption(' ' + truth))).toEqual({ '2 red circle': 1, '1 blue square': 1, '1 yellow star': 1 });
  });
  it('is exact regardless of group order', () => {
    expect(scoreCaption(' one blue square, two red circles and one yellow star.', truth)).toEqual({ exact: true, f1: 1 });
  });
  it('scores partial answers by group F1', () => {
    const r = scoreCaption(' two red circles and one blue square.', truth);
    expect(r.exact).toBe(false);
    expect(r.f1).toBeCloseTo(0.8, 6); // precision 2/2, recall 2/3
    const wrongCount = scoreCaption(' three red circles, one blue square and one yellow star.', truth);
    expect(wrongCount.exact).toBe(false);
    expect(wrongCount.f1).toBeCloseTo(2 / 3, 6);
    expect(scoreCaption('', truth)).toEqual({ exact: false, f1: 0 });
  });
  it('counts a repeated group twice', () => {
    expect(scoreCaption(' one red star and one red star.', 'two red stars.').exact).toBe(false);
  });
});

describe('summarize', () => {
  it('reports fractions per task and count by number of objects', () => {
    const r = summarize([
      { task: 'count', correct: true, objects: 2 },
      { task: 'count', correct: false, objects: 2 },
      { task: 'identify', correct: true },
      { task: 'caption', correct: false, f1: 0.5 },
    ]);
    expect(r.count).toBe(0.5);
    expect(r.identify).toBe(1);
    expect(r.vqa).toBeNull();
    expect(r.caption_exact).toBe(0);
    expect(r.caption_f1).toBe(0.5);
    expect(r.count_by_objects['2']).toEqual({ n: 2, accuracy: 0.5 });
  });
});
