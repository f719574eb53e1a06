export interface SamplingOptions {
  /** 0 means greedy. */
  temperature: number;
  /** 0 keeps every token. */
  topK: number;
  /** 1 keeps every token. */
  topP: number;
  /** 1 is off; > 1 makes tokens already generated less likely (CTRL-style). */
  repetitionPenalty: number;
}

export const GREEDY: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1 };

/** Seeded PRNG (mulberry32): a seed reproduces a sampled answer exactly. */
export function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function applyRepetitionPenalty(logits: Float32Array, previous: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(previous)) {
    const v = logits[id];
    logits[id] = v > 0 ? v / penalty : v * penalty;
  }
}

function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/** Picks the next token id from one row of logits (modified in place by the penalty). */
export function sampleToken(
  logits: Float32Array,
  options: SamplingOptions,
  previous: readonly number[],
  rng: () => number,
): number {
  applyRepetitionPenalty(logits, previous, options.repetitionPenalty);
  if (options.temperature <= 0) return argmax(logits);

  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a]);
  const keep = options.topK > 0 ? order.slice(0, options.topK) : order;
  const max = logits[keep[0]];
  const weights = keep.map((id) => Math.exp((logits[id] - max) / options.temperature));
  const total = weights.reduce((a, b) => a + b, 0);

  // Nucleus: the smallest head of the ranking whose probability reaches topP.
  let cut = keep.length;
  if (options.topP < 1) {
    let mass = 0;
    for (let i = 0; i < keep.length; i++) {
      mass += weights[i] / total;
      if (mass >= options.topP) {
        cut = i + 1;
        break;
      }
    }
  }
  const kept = weights.slice(0, cut);
  const keptTotal = kept.reduce((a, b) => a + b, 0);
  let r = rng() * keptTotal;
  for (let i = 0; i < cut; i++) {
    r -= kept[i];
    if (r <= 0) return keep[i];
  }
  return keep[cut - 1];
}
