import { describe, expect, it } from 'vitest';
import { filesFor, ManifestError, validateManifest } from '../../src/engine/manifest';

const file = (path: string) => ({ path, bytes: 10, sha256: 'a'.repeat(64) });

function manifest(): Record<string, any> {
  return {
    format: 'gvt-web-package',
    format_version: 1,
    id: 'test',
    name: 'Test',
    description: '',
    image: { size: 64, resize: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
    visual_tokens: { count: 32, width: 128 },
    prompt: { template: '<Img>{image}</Img>{question}' },
    tokens: { eos: '<|endoftext|>', stop_strings: ['\n'] },
    tasks: { caption: 'c', count: 'How many {object}?', identify: 'Does {object} exist?', vqa: 'Question: {question} Answer:' },
    generation: { max_new_tokens: 32 },
    kv_cache: { layers: 2, kv_heads: 4, head_dim: 32, max_length: 256 },
    files: {
      vision_encoder: file('vision_encoder.onnx'),
      embed_tokens: file('embed_tokens.onnx'),
      decoder: file('decoder_model_merged.onnx'),
      tokenizer: file('tokenizer.json'),
      tokenizer_config: file('tokenizer_config.json'),
    },
  };
}

function errorOf(m: unknown): ManifestError {
  try {
    validateManifest(m);
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error('expected a ManifestError');
}

describe('validateManifest', () => {
  it('accepts a complete manifest', () => {
    expect(validateManifest(manifest()).visual_tokens.count).toBe(32);
  });

  it.each([
    ['image.size', (m: any) => delete m.image.size, 'is missing'],
    ['image.resize', (m: any) => (m.image.resize = 'lanczos'), 'must be one of nearest, bilinear, bicubic'],
    ['image.std', (m: any) => (m.image.std = [1, 0, 1]), 'positive'],
    ['visual_tokens.count', (m: any) => (m.visual_tokens.count = 0), 'positive integer'],
    ['prompt.template', (m: any) => (m.prompt.template = '<Img></Img>{question}'), '{image}'],
    ['prompt.template', (m: any) => (m.prompt.template = '{question}<Img>{image}'), 'after {image}'],
    ['tokens.eos', (m: any) => (m.tokens.eos = 3), 'must be a string'],
    ['tasks.identify', (m: any) => delete m.tasks.identify, 'is missing'],
    ['kv_cache.head_dim', (m: any) => (m.kv_cache.head_dim = 1.5), 'positive integer'],
    ['kv_cache.max_length', (m: any) => delete m.kv_cache.max_length, 'is missing'],
    ['files.decoder', (m: any) => delete m.files.decoder, 'is missing'],
    ['files.tokenizer.sha256', (m: any) => (m.files.tokenizer.sha256 = 'xyz'), 'hex'],
    ['files.vision_encoder.path', (m: any) => (m.files.vision_encoder.path = '../secret.onnx'), 'inside the package'],
    ['files.vision_encoder_int8.bytes', (m: any) => (m.files.vision_encoder_int8 = { ...file('v.onnx'), bytes: -1 }), 'positive integer'],
    ['format_version', (m: any) => (m.format_version = 2), 'cannot read version 2'],
    ['image.fit', (m: any) => (m.image.fit = 'crop'), 'must be one of stretch, letterbox'],
    ['scene_check.threshold', (m: any) => (m.scene_check = { output: 'scene_score', threshold: 1.5, domain: 'x' }), 'between 0 and 1'],
    ['scene_check.output', (m: any) => (m.scene_check = { threshold: 0.5, domain: 'x' }), 'is missing'],
  ])('names the field %s when it is wrong', (field, spoil, problem) => {
    const m = manifest();
    spoil(m);
    const error = errorOf(m);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`"${field}"`);
    expect(error.message).toContain(problem);
  });

  it('rejects something that is not a GVT Web package', () => {
    expect(errorOf({ model_type: 'llama' }).field).toBe('format');
  });
});

describe('filesFor', () => {
  const paths = (m: Record<string, any>, backend: 'wasm' | 'webgpu') => filesFor(validateManifest(m), backend).map((f) => f.path);

  it('loads the integer-arithmetic vision graph on WASM and the float one on WebGPU, never both', () => {
    const m = manifest();
    m.files.vision_encoder_int8 = file('vision_encoder_int8.onnx');
    expect(paths(m, 'wasm')).toContain('vision_encoder_int8.onnx');
    expect(paths(m, 'wasm')).not.toContain('vision_encoder.onnx');
    expect(paths(m, 'webgpu')).toContain('vision_encoder.onnx');
    expect(paths(m, 'webgpu')).not.toContain('vision_encoder_int8.onnx');
    expect(paths(m, 'wasm')).toHaveLength(5);
  });

  it('loads the one vision graph of a package without the variant on either backend', () => {
    expect(paths(manifest(), 'wasm')).toEqual(paths(manifest(), 'webgpu'));
    expect(paths(manifest(), 'wasm')).toContain('vision_encoder.onnx');
  });
});
