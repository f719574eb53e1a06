/** The Shapes World vocabulary (shared/shapes-world.md) that the one-click tasks ask about, as scoring defines it. */
import { COLORS, SHAPES } from '../eval/score';

export { COLORS, SHAPES };
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

/** Yes or No in an identify answer, as GVTBench reads it (the word, any case); null when it says neither. */
export function yesOrNo(text: string): 'Yes' | 'No' | null {
  const match = /\b(yes|no)\b/i.exec(text);
  return match ? (match[1].toLowerCase() === 'yes' ? 'Yes' : 'No') : null;
}
