/**
 * The model package format: a folder with `manifest.json` beside ONNX graphs in
 * the session layout that transformers.js uses for its VLMs
 * (vision_encoder / embed_tokens / decoder_model_merged), so packages and
 * tooling stay interchangeable. This file is the single definition; the
 * Python exporter (training/gvt/export.py) writes exactly this shape.
 */

export const PACKAGE_FORMAT = 'gvt-web-package';
export const PACKAGE_FORMAT_VERSION = 1;

export type ResizeFilter = 'nearest' | 'bilinear' | 'bicubic';
/** How a non-square image becomes the square input: squashed, or kept in proportion and padded. */
export type ImageFit = 'stretch' | 'letterbox';
export type TaskName = 'caption' | 'count' | 'identify' | 'vqa';
export type FileRole =
  | 'vision_encoder'
  | 'embed_tokens'
  | 'decoder'
  | 'tokenizer'
  | 'tokenizer_config';

export interface PackageFile {
  /** Path relative to the package folder. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ModelManifest {
  format: typeof PACKAGE_FORMAT;
  format_version: number;
  id: string;
  name: string;
  description: string;
  image: {
    /** Square input side in pixels: the image is resized to size × size. */
    size: number;
    resize: ResizeFilter;
    /** Absent means `stretch` (packages made before letterboxing). */
    fit?: ImageFit;
    mean: [number, number, number];
    std: [number, number, number];
  };
  visual_tokens: { count: number; width: number };
  prompt: {
    /**
     * Contains `{image}` once and then `{question}` once. Everything before
     * `{question}` is the image prefix whose KV cache is reused across
     * questions about one image; `{image}` is replaced by the visual tokens.
     */
    template: string;
  };
  tokens: {
    eos: string;
    /** Text that ends an answer as well as EOS, e.g. a newline. */
    stop_strings: string[];
  };
  /** Templates per task: `{object}` is filled by the UI, `{question}` for vqa. */
  tasks: Record<TaskName, string>;
  generation: { max_new_tokens: number };
  /** `max_length` is the most positions the decoder reads: prompt and answer together. */
  kv_cache: { layers: number; kv_heads: number; head_dim: number; max_length: number };
  /**
   * The vision graph's second output: the probability that the image is in the
   * model's domain. Below `threshold` the app warns that the model cannot read it.
   */
  scene_check?: { output: string; threshold: number; domain: string };
  files: Record<FileRole, PackageFile>;
}

export class ManifestError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`model manifest: field "${field}" ${problem}`);
    this.name = 'ManifestError';
  }
}

const FILE_ROLES: FileRole[] = ['vision_encoder', 'embed_tokens', 'decoder', 'tokenizer', 'tokenizer_config'];
const TASKS: TaskName[] = ['caption', 'count', 'identify', 'vqa'];
const FILTERS: ResizeFilter[] = ['nearest', 'bilinear', 'bicubic'];
const FITS: ImageFit[] = ['stretch', 'letterbox'];

type Json = Record<string, unknown>;

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ManifestError(field, value === undefined ? 'is missing' : 'must be an object');
  }
  return value as Json;
}

function string(value: unknown, field: string, allowEmpty = false): string {
  if (value === undefined) throw new ManifestError(field, 'is missing');
  if (typeof value !== 'string') throw new ManifestError(field, 'must be a string');
  if (!allowEmpty && value.length === 0) throw new ManifestError(field, 'must not be empty');
  return value;
}

function positiveInt(value: unknown, field: string): number {
  if (value === undefined) throw new ManifestError(field, 'is missing');
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ManifestError(field, `must be a positive integer (got ${JSON.stringify(value)})`);
  }
  return value;
}

function triple(value: unknown, field: string, positive: boolean): [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3 || value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new ManifestError(field, value === undefined ? 'is missing' : 'must be an array of three numbers');
  }
  if (positive && value.some((v) => v <= 0)) throw new ManifestError(field, 'must hold positive numbers');
  return value as [number, number, number];
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  const s = string(value, field);
  if (!allowed.includes(s as T)) throw new ManifestError(field, `must be one of ${allowed.join(', ')} (got "${s}")`);
  return s as T;
}

function checkTemplate(template: string): void {
  const image = template.indexOf('{image}');
  const question = template.indexOf('{question}');
  if (image < 0 || template.indexOf('{image}', image + 1) >= 0) {
    throw new ManifestError('prompt.template', 'must contain {image} exactly once');
  }
  if (question < 0 || template.indexOf('{question}', question + 1) >= 0) {
    throw new ManifestError('prompt.template', 'must contain {question} exactly once');
  }
  if (question < image) throw new ManifestError('prompt.template', 'must place {question} after {image}');
}

/** Checks a parsed manifest.json and returns it typed; throws ManifestError naming the first bad field. */
export function validateManifest(raw: unknown): ModelManifest {
  const m = object(raw, 'manifest');
  if (m.format !== PACKAGE_FORMAT) {
    throw new ManifestError('format', `must be "${PACKAGE_FORMAT}" (got ${JSON.stringify(m.format)})`);
  }
  const version = positiveInt(m.format_version, 'format_version');
  if (version !== PACKAGE_FORMAT_VERSION) {
    throw new ManifestError('format_version', `must be ${PACKAGE_FORMAT_VERSION}; this app cannot read version ${version}`);
  }
  string(m.id, 'id');
  string(m.name, 'name');
  string(m.description, 'description', true);

  const image = object(m.image, 'image');
  positiveInt(image.size, 'image.size');
  oneOf(image.resize, 'image.resize', FILTERS);
  if (image.fit !== undefined) oneOf(image.fit, 'image.fit', FITS);
  triple(image.mean, 'image.mean', false);
  triple(image.std, 'image.std', true);

  const visual = object(m.visual_tokens, 'visual_tokens');
  positiveInt(visual.count, 'visual_tokens.count');
  positiveInt(visual.width, 'visual_tokens.width');

  const prompt = object(m.prompt, 'prompt');
  checkTemplate(string(prompt.template, 'prompt.template'));

  const tokens = object(m.tokens, 'tokens');
  string(tokens.eos, 'tokens.eos');
  if (!Array.isArray(tokens.stop_strings)) throw new ManifestError('tokens.stop_strings', 'must be an array of strings');
  tokens.stop_strings.forEach((s, i) => string(s, `tokens.stop_strings[${i}]`));

  const tasks = object(m.tasks, 'tasks');
  for (const task of TASKS) string(tasks[task], `tasks.${task}`);

  const generation = object(m.generation, 'generation');
  positiveInt(generation.max_new_tokens, 'generation.max_new_tokens');

  const kv = object(m.kv_cache, 'kv_cache');
  positiveInt(kv.layers, 'kv_cache.layers');
  positiveInt(kv.kv_heads, 'kv_cache.kv_heads');
  positiveInt(kv.head_dim, 'kv_cache.head_dim');
  positiveInt(kv.max_length, 'kv_cache.max_length');

  if (m.scene_check !== undefined) {
    const check = object(m.scene_check, 'scene_check');
    string(check.output, 'scene_check.output');
    string(check.domain, 'scene_check.domain');
    const t = check.threshold;
    if (typeof t !== 'number' || !(t > 0 && t < 1)) throw new ManifestError('scene_check.threshold', `must be a number between 0 and 1 (got ${JSON.stringify(t)})`);
  }

  const files = object(m.files, 'files');
  for (const role of FILE_ROLES) {
    const file = object(files[role], `files.${role}`);
    const path = string(file.path, `files.${role}.path`);
    if (path.startsWith('/') || path.split('/').includes('..')) {
      throw new ManifestError(`files.${role}.path`, 'must be a relative path inside the package');
    }
    positiveInt(file.bytes, `files.${role}.bytes`);
    const sha = string(file.sha256, `files.${role}.sha256`);
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new ManifestError(`files.${role}.sha256`, 'must be 64 lower-case hex digits');
  }
  return m as unknown as ModelManifest;
}
