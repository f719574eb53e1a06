/**
 * Typos in the words a Shapes World question turns on, put right before the
 * model reads them. GVT-tiny's tokenizer knows whole words: "pruple" is not
 * "purple" to it but six unrelated bytes, and a typed question with one such
 * typo was mostly answered wrong (README, "Typos"). A word is corrected only
 * when it is one edit (two, for words of six letters or more; for one of two
 * or three letters, a letter left out or two swapped) from exactly one of
 * these words, starts with the same letter, and is not an English word listed
 * below that happens to lie that close.
 */
import { COLORS, SHAPES, plural } from './vocabulary';

const TARGETS: readonly string[] = [
  ...SHAPES,
  ...SHAPES.map(plural),
  ...COLORS,
  ...['colour', 'colours', 'color', 'colors', 'object', 'objects', 'shape', 'shapes', 'many', 'picture', 'image', 'describe'],
];

/** Words a visitor may mean as they are, one or two edits from a target. */
const WORDS = new Set(
  [
    're read rend redo may man mane mary mana mans blew blur greet greed greek',
    'stat stay stab stag stir scar spar soar sear start stare stark stray stair',
    'share shame shake shade shave shaped circus circled tangle squire colon cooler coloured colored',
    'imagine images imago pictures pictured objected describes described',
  ]
    .join(' ')
    .split(' '),
);

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** `word` is `target` with one letter left out, or with two neighbours swapped. */
function leftOutOrSwapped(word: string, target: string): boolean {
  if (word.length === target.length - 1) return [...target].some((_, i) => target.slice(0, i) + target.slice(i + 1) === word);
  return word.length === target.length && [...target].some((_, i) => target.slice(0, i) + target[i + 1] + target[i] + target.slice(i + 2) === word);
}

/** The word `typed` most likely means, or null when it should stay as it is. */
function meant(typed: string): string | null {
  const word = typed.toLowerCase();
  if (word.length < 2 || TARGETS.includes(word) || WORDS.has(word)) return null;
  let nearest: string[] = [];
  let nearestDistance = Infinity;
  for (const target of TARGETS) {
    if (target[0] !== word[0]) continue;
    const distance = editDistance(word, target);
    const allowed = Math.min(word.length, target.length) >= 6 ? 2 : 1;
    if (distance > allowed || (word.length <= 3 && !leftOutOrSwapped(word, target))) continue;
    if (distance < nearestDistance) [nearest, nearestDistance] = [[target], distance];
    else if (distance === nearestDistance) nearest.push(target);
  }
  if (nearest.length === 1) return nearest[0];
  // "stas", "squars": as near to the plural as to the singular; an s near the end says which.
  const [one, other] = nearest;
  if (nearest.length === 2 && (other === `${one}s` || one === `${other}s`)) {
    const [singular, pluralForm] = one.length < other.length ? [one, other] : [other, one];
    return word.slice(-2).includes('s') ? pluralForm : singular;
  }
  return null;
}

export interface Correction {
  from: string;
  to: string;
}

/** `text` with its typos in Shapes World words put right (a capital kept), and what was changed. */
export function correctSpelling(text: string): { text: string; corrections: Correction[] } {
  const corrections: Correction[] = [];
  const corrected = text.replace(/\p{L}+/gu, (typed) => {
    const target = meant(typed);
    if (!target) return typed;
    const to = typed[0] === typed[0].toUpperCase() ? target[0].toUpperCase() + target.slice(1) : target;
    corrections.push({ from: typed, to });
    return to;
  });
  return { text: corrected, corrections };
}
