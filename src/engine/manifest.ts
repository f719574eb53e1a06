/**
 * The model package format: a folder with `manifest.json` beside ONNX graphs in
 * the session layout that transformers.js uses for its VLMs
 * (vision_encoder / embed_tokens / decoder_model_merged), so packages and
 * tooling stay interchangeable. This file is the single definition; the
 * Python exporter (training/gvt/export.py) writes exactly this shape.
 */

import * as v from 'valibot';
import type { BackendKind } from './runtime';

export const PACKAGE_FORMAT = 'gvt-web-package';
export const PACKAGE_FORMAT_VERSION = 1;

export class ManifestError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`model manifest: field "${field}" ${problem}`);
    this.name = 'ManifestError';
  }
}

// Each message finishes the sentence `field "x.y" …`: it says what was wrong and, where it helps, what was found.
const shown = (issue: v.BaseIssue<unknown>) => JSON.stringify(issue.input);
const or = (problem: string) => (issue: v.BaseIssue<unknown>) => (issue.input === undefined ? 'is missing' : problem);
const text = (allowEmpty = false) => v.pipe(v.string(or('must be a string')), v.minLength(allowEmpty ? 0 : 1, 'must not be empty'));
const positiveInt = v.pipe(
  v.number(or('must be a positive integer')),
  v.integer((i) => `must be a positive integer (got ${shown(i)})`),
  v.minValue(1, (i) => `must be a positive integer (got ${shown(i)})`),
);
const triple = v.tuple([v.number(), v.number(), v.number()], or('must be an array of three numbers'));
const once = (template: string, part: string) => template.split(part).length === 2;
const entries = <T extends v.ObjectEntries>(fields: T) => v.object(fields, or('must be an object'));

const FILE = entries({
  /** Path relative to the package folder. */
  path: v.pipe(
    text(),
    v.check((path) => !path.startsWith('/') && !path.split('/').includes('..'), 'must be a relative path inside the package'),
  ),
  bytes: positiveInt,
  sha256: v.pipe(text(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits')),
});

const MANIFEST = entries({
  format: v.literal(PACKAGE_FORMAT, (i) => `must be "${PACKAGE_FORMAT}" (got ${shown(i)})`),
  format_version: v.pipe(
    positiveInt,
    v.value(PACKAGE_FORMAT_VERSION, (i) => `must be ${PACKAGE_FORMAT_VERSION}; this app cannot read version ${shown(i)}`),
  ),
  id: text(),
  name: text(),
  description: text(true),
  image: entries({
    /** Square input side in pixels: the image is resized to size × size. */
    size: positiveInt,
    resize: v.picklist(['nearest', 'bilinear', 'bicubic'], (i) => `must be one of nearest, bilinear, bicubic (got ${shown(i)})`),
    /** How a non-square image becomes the square input: squashed, or kept in proportion and padded. Absent means `stretch` (packages made before letterboxing). */
    fit: v.optional(v.picklist(['stretch', 'letterbox'], (i) => `must be one of stretch, letterbox (got ${shown(i)})`)),
    mean: triple,
    std: v.pipe(triple, v.check((std) => std.every((x) => x > 0), 'must hold positive numbers')),
  }),
  visual_tokens: entries({ count: positiveInt, width: positiveInt }),
  prompt: entries({
    /**
     * Contains `{image}` once and then `{question}` once. Everything before
     * `{question}` is the image prefix whose KV cache is reused across
     * questions about one image; `{image}` is replaced by the visual tokens.
     */
    template: v.pipe(
      text(),
      v.check((t) => once(t, '{image}'), 'must contain {image} exactly once'),
      v.check((t) => once(t, '{question}'), 'must contain {question} exactly once'),
      v.check((t) => t.indexOf('{question}') > t.indexOf('{image}'), 'must place {question} after {image}'),
    ),
  }),
  tokens: entries({
    eos: text(),
    /** Text that ends an answer as well as EOS, e.g. a newline. */
    stop_strings: v.array(text(), or('must be an array of strings')),
  }),
  /** Templates per task: `{object}` is filled by the UI, `{question}` for vqa. */
  tasks: entries({ caption: text(), count: text(), identify: text(), vqa: text() }),
  generation: entries({ max_new_tokens: positiveInt }),
  /** `max_length` is the most positions the decoder reads: prompt and answer together. */
  kv_cache: entries({ layers: positiveInt, kv_heads: positiveInt, head_dim: positiveInt, max_length: positiveInt }),
  /**
   * The vision graph's second output: the probability that the image is in the
   * model's domain. Below `threshold` the app warns that the model cannot read it.
   */
  scene_check: v.optional(
    entries({
      output: text(),
      threshold: v.pipe(
        v.number((i) => `must be a number between 0 and 1 (got ${shown(i)})`),
        v.gtValue(0, (i) => `must be a number between 0 and 1 (got ${shown(i)})`),
        v.ltValue(1, (i) => `must be a number between 0 and 1 (got ${shown(i)})`),
      ),
      domain: text(),
    }),
  ),
  files: entries({
    vision_encoder: FILE,
    /**
     * The vision graph in integer arithmetic for onnxruntime's CPU kernels (WASM): the same int8 weights, the
     * activations quantized at each run. WebGPU has no kernel for it and reads `vision_encoder`.
     */
    vision_encoder_int8: v.optional(FILE),
    embed_tokens: FILE,
    decoder: FILE,
    tokenizer: FILE,
    tokenizer_config: FILE,
  }),
});

export type ModelManifest = v.InferOutput<typeof MANIFEST>;
export type ResizeFilter = ModelManifest['image']['resize'];
export type ImageFit = NonNullable<ModelManifest['image']['fit']>;
export type TaskName = keyof ModelManifest['tasks'];
export type FileRole = keyof ModelManifest['files'];
export type PackageFile = NonNullable<ModelManifest['files'][FileRole]>;

/** The vision graph a backend reads: WASM the integer-arithmetic one where the package has it. */
export function visionRole(manifest: ModelManifest, backend: BackendKind): 'vision_encoder' | 'vision_encoder_int8' {
  return backend === 'wasm' && manifest.files.vision_encoder_int8 ? 'vision_encoder_int8' : 'vision_encoder';
}

/** Every file the package holds, for checking any of them by path. */
export function allFiles(manifest: ModelManifest): PackageFile[] {
  return Object.values(manifest.files).filter((file): file is PackageFile => file !== undefined);
}

/** The files a backend loads, so a download plan and the model panel count no file it will not read. */
export function filesFor(manifest: ModelManifest, backend: BackendKind): PackageFile[] {
  const unread = manifest.files[visionRole(manifest, backend) === 'vision_encoder' ? 'vision_encoder_int8' : 'vision_encoder'];
  return allFiles(manifest).filter((file) => file !== unread);
}

/** Checks a parsed manifest.json and returns it typed; throws ManifestError naming the first bad field. */
export function validateManifest(raw: unknown): ModelManifest {
  const result = v.safeParse(MANIFEST, raw, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = (issue.path ?? []).reduce((name, { key }) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)), '');
  throw new ManifestError(field || 'manifest', issue.message);
}
