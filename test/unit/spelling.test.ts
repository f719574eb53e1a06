/**
 * Typos in the shape and colour words of a typed question, as visitors make
 * them, are put right before GVT-tiny reads them; words a visitor means as
 * typed are left alone.
 */
import { describe, expect, it } from 'vitest';
import { correctSpelling, editDistance } from '../../src/shapes-world/spelling';

describe('spelling of Shapes World words', () => {
  it('puts right a letter dropped, doubled, swapped or wrong', () => {
    const typos: [string, string][] = [
      ['pruple', 'purple'], ['yelow', 'yellow'], ['yellwo', 'yellow'], ['gren', 'green'], ['bule', 'blue'], ['ornage', 'orange'],
      ['cirlce', 'circle'], ['crcle', 'circle'], ['circlles', 'circles'], ['sqaure', 'square'], ['squre', 'square'],
      ['tringle', 'triangle'], ['trianlges', 'triangles'], ['stra', 'star'], ['starss', 'stars'], ['mnay', 'many'], ['colr', 'color'],
      ['ble', 'blue'], ['bue', 'blue'], ['str', 'star'], ['rde', 'red'], ['rd', 'red'], ['reed', 'red'],
      ['stas', 'stars'], ['squars', 'squares'], ['triangls', 'triangles'], ['trianglse', 'triangles'], ['sqare', 'square'],
    ];
    for (const [typed, meant] of typos) expect(correctSpelling(typed).text, typed).toBe(meant);
  });

  it('keeps a capital and the punctuation, and says what it changed', () => {
    expect(correctSpelling('How mnay Cirlces are there?')).toEqual({
      text: 'How many Circles are there?',
      corrections: [
        { from: 'mnay', to: 'many' },
        { from: 'Cirlces', to: 'Circles' },
      ],
    });
  });

  it('leaves alone words that are right, short, or other words a visitor may mean', () => {
    for (const text of ['Is there a red circle?', 'can you read the card', 'is it grey', 'where do i start', 'share this', 'the rod', 'the bed', 'may i ask', 'a man', 're: the card', 'is it ok']) {
      expect(correctSpelling(text), text).toEqual({ text, corrections: [] });
    }
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('cirlce', 'circle')).toBe(1);
    expect(editDistance('circle', 'circle')).toBe(0);
    expect(editDistance('sure', 'square')).toBe(2);
  });
});
