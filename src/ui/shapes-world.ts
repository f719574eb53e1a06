/** The Shapes World vocabulary (shared/shapes-world.md) that the one-click tasks ask about. */
export const SHAPES = ['circle', 'square', 'triangle', 'star'] as const;
export const COLORS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'] as const;
export type Shape = (typeof SHAPES)[number];
export type Color = (typeof COLORS)[number];

/** `[colour] shape|object`, e.g. `red star`, `star`, `blue object`, `object`. */
export function objectPhrase(color: Color | null, shape: Shape | null): string {
  const noun = shape ?? 'object';
  return color ? `${color} ${noun}` : noun;
}

/** What Count asks about: `red stars`, `stars`, `blue objects`, `objects`. */
export const countPhrase = (color: Color | null, shape: Shape | null) => `${objectPhrase(color, shape)}s`;

/** What Identify asks about: `a red star`, `an orange circle`, `an object`. */
export function identifyPhrase(color: Color | null, shape: Shape | null): string {
  const words = objectPhrase(color, shape);
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** The first integer in an answer, as GVTBench scores a count (number words zero-nine count too); null when none. */
export function firstInteger(text: string): number | null {
  const match = /\d+|\b(?:zero|one|two|three|four|five|six|seven|eight|nine)\b/i.exec(text);
  if (!match) return null;
  const word = NUMBER_WORDS.indexOf(match[0].toLowerCase());
  return word >= 0 ? word : Number(match[0]);
}

/** Yes or No in an identify answer, as GVTBench reads it (the word, any case); null when it says neither. */
export function yesOrNo(text: string): 'Yes' | 'No' | null {
  const match = /\b(yes|no)\b/i.exec(text);
  return match ? (match[1].toLowerCase() === 'yes' ? 'Yes' : 'No') : null;
}
