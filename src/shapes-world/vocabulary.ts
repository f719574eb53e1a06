/**
 * The Shapes World vocabulary, defined once: the shapes and colours of its
 * scenes (in their canonical order), the number words its answers may use,
 * and how its noun phrases are built (plural, article). The one-click tasks
 * pick from it, the task phrases are made with it, and the scoring
 * (src/eval/score.ts) parses answers with it. training/gvt/shapes.py holds the
 * same words for the training data.
 */

export const SHAPES = ['circle', 'square', 'triangle', 'star'] as const;
export const COLORS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'] as const;
/** Index = value: `NUMBER_WORDS[7]` is `seven`. */
export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;

export type Shape = (typeof SHAPES)[number];
export type Color = (typeof COLORS)[number];
export type NumberWord = (typeof NUMBER_WORDS)[number];

/** The number a word says, in digits (`7`) or as a number word zero-nine (`seven`, any case); null for any other word. */
export function numberFromWord(word: string): number | null {
  const w = word.toLowerCase();
  if (/^\d+$/.test(w)) return Number.parseInt(w, 10);
  const index = NUMBER_WORDS.indexOf(w as NumberWord);
  return index >= 0 ? index : null;
}

/** Plural of a Shapes World noun or noun phrase (all regular): `stars`, `red stars`, `objects`. */
export const plural = (words: string) => `${words}s`;

/** The indefinite article for `words`, by its first letter: `an` orange circle, `a` red star. */
export const article = (words: string): 'a' | 'an' => (/^[aeiou]/i.test(words) ? 'an' : 'a');

/** `words` with its indefinite article: `a red star`, `an orange circle`, `an object`. */
export const withArticle = (words: string) => `${article(words)} ${words}`;

/** `[colour] shape|object`, e.g. `red star`, `star`, `blue object`, `object`. */
export function objectPhrase(color: Color | null, shape: Shape | null): string {
  const noun = shape ?? 'object';
  return color ? `${color} ${noun}` : noun;
}

/** What Count asks about: `red stars`, `stars`, `blue objects`, `objects`. */
export const countPhrase = (color: Color | null, shape: Shape | null) => plural(objectPhrase(color, shape));
