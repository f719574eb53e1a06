/**
 * Re-exports only, for the UI files that still import from here (TaskBar.tsx,
 * Conversation.tsx): the Shapes World vocabulary lives in
 * ../shapes-world/vocabulary, the reading of answers in ../eval/score. Delete
 * this file once they import from those directly.
 */
export { COLORS, SHAPES, countPhrase, identifyPhrase, objectPhrase, type Color, type Shape } from '../shapes-world/vocabulary';
export { yesOrNo } from '../eval/score';
