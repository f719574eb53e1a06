/**
 * How the decoder's KV cache travels from one call to the next. A package's
 * decoder comes in one of two forms:
 *
 * - heads first: `past_key_values.i.*` and `present.i.*` are [1, heads, length,
 *   headDim], and each call's present is fed back whole as the next past.
 * - sequence first: the same, [1, length, heads, headDim], plus `new.i.*`, this
 *   call's rows alone (export.py writes this form).
 *
 * Fed back whole, every call copies the whole cache out of onnxruntime's WASM
 * heap into freshly allocated arrays: most of onnxruntime's JS time, a quarter
 * of the worker's in Chromium (README, Benchmark). With the sequence-first form on WASM only
 * this call's rows come out: they are appended in place to one buffer per
 * layer, whose filled part is fed as a view. On WebGPU the present tensors
 * stay in GPU buffers, so they are fed back whole in either form.
 */
import { ort, type Backend } from './runtime';

export interface KvShape {
  layers: number;
  heads: number;
  headDim: number;
  maxLength: number;
}

/** A sequence's KV cache, as the next decoder call takes it. */
export interface KvCache {
  readonly length: number;
  /** The `past_key_values.*` feeds. */
  feeds(): Record<string, ort.Tensor>;
  dispose(): void;
}

export interface KvLayout {
  /** The outputs a call fetches for its cache (besides logits). */
  readonly fetches: readonly string[];
  /** The cache with no tokens in it. */
  empty(): KvCache;
  /**
   * The cache after a call of `length` tokens on `past`. A kept cache (an image
   * prefix) is never written to again; any other may be extended in place.
   */
  next(past: KvCache, outputs: ort.InferenceSession.OnnxValueMapType, length: number, keep: boolean): KvCache;
}

const names = (kind: string, layers: number) =>
  Array.from({ length: layers }, (_, i) => [`${kind}.${i}.key`, `${kind}.${i}.value`]).flat();

export const presentNames = (layers: number) => names('present', layers);

/** The present tensors fed back whole (on WebGPU they stay in GPU buffers between steps). */
class KvTensors implements KvCache {
  constructor(
    private readonly tensors: ort.Tensor[],
    private readonly pastNames: readonly string[],
    readonly length: number,
  ) {}

  feeds(): Record<string, ort.Tensor> {
    return Object.fromEntries(this.pastNames.map((name, k) => [name, this.tensors[k]]));
  }

  dispose(): void {
    for (const tensor of this.tensors) tensor.dispose();
  }
}

/** Sequence-first rows in one buffer per layer key and value; only the filled part is fed. */
class KvRows implements KvCache {
  /** Set when a later cache took these buffers over by growing them in place. */
  moved = false;

  constructor(
    readonly rows: Float32Array[],
    readonly length: number,
    /** False for a kept cache: its buffers are copied before anything is appended. */
    readonly growable: boolean,
    private readonly shape: KvShape,
    private readonly pastNames: readonly string[],
    /** Takes an answer's buffers back for the next answer; absent for a kept cache. */
    private readonly recycle?: (rows: Float32Array[]) => void,
  ) {}

  feeds(): Record<string, ort.Tensor> {
    const { heads, headDim } = this.shape;
    const size = this.length * heads * headDim;
    return Object.fromEntries(
      this.pastNames.map((name, k) => [name, new ort.Tensor('float32', this.rows[k].subarray(0, size), [1, this.length, heads, headDim])]),
    );
  }

  dispose(): void {
    if (this.moved) return;
    this.moved = true;
    this.recycle?.(this.rows);
  }
}

export function kvLayout(outputNames: readonly string[], backend: Backend, shape: KvShape): KvLayout {
  const { layers, heads, headDim, maxLength } = shape;
  const pastNames = names('past_key_values', layers);
  const present = presentNames(layers);
  const newNames = names('new', layers);
  const sequenceFirst = newNames.every((name) => outputNames.includes(name));
  const emptyDims = sequenceFirst ? [1, 0, heads, headDim] : [1, heads, 0, headDim];

  if (!sequenceFirst || backend.kind !== 'wasm') {
    return {
      fetches: present,
      empty: () => new KvTensors(present.map(() => new ort.Tensor('float32', new Float32Array(0), emptyDims)), pastNames, 0),
      next: (past, outputs, length) => new KvTensors(present.map((name) => outputs[name]), pastNames, past.length + length),
    };
  }

  const rowSize = heads * headDim;
  // The last answer's buffers, for the next one: in Chromium a fresh 80 KB
  // array costs up to a millisecond to fill the first time, against
  // microseconds for one already used (README, "Where an answer's time goes").
  let spare: Float32Array[] | null = null;
  const recycle = (rows: Float32Array[]) => {
    spare = rows;
  };
  const answerBuffers = (): Float32Array[] => {
    const reused = spare;
    spare = null;
    return reused ?? pastNames.map(() => new Float32Array(maxLength * rowSize));
  };
  return {
    fetches: newNames,
    empty: () => new KvRows(pastNames.map(() => new Float32Array(0)), 0, false, shape, pastNames),
    next: (past, outputs, length, keep) => {
      const from = past as KvRows;
      const total = from.length + length;
      let rows: Float32Array[];
      if (from.growable && !keep) {
        rows = from.rows;
        from.moved = true;
      } else {
        rows = keep ? pastNames.map(() => new Float32Array(total * rowSize)) : answerBuffers();
        rows.forEach((buffer, k) => buffer.set(from.rows[k].subarray(0, from.length * rowSize)));
      }
      newNames.forEach((name, k) => rows[k].set(outputs[name].data as Float32Array, from.length * rowSize));
      return new KvRows(rows, total, !keep, shape, pastNames, keep ? undefined : recycle);
    },
  };
}
