/**
 * Pretrained vision-language models from the Hugging Face Hub, for real
 * photographs. GVT-tiny (a package in public/models/) stays the default; these
 * download once into Cache Storage and then run offline.
 */

import type { FileTarget } from '../files/file-store';

export type HubArchitecture = 'smolvlm' | 'florence2';

/** The ONNX graphs of a model, by the names its Hub repo uses under onnx/. */
export type SessionName = 'vision_encoder' | 'embed_tokens' | 'encoder_model' | 'decoder_model_merged';

/** Weight formats as suffixes of `onnx/{session}{suffix}.onnx` in the Hub repos. */
export type Dtype = 'fp32' | 'fp16' | 'q4';

export type DeviceKind = 'webgpu-f16' | 'webgpu' | 'wasm';

export interface HubModel {
  /** The Hub repo, e.g. `HuggingFaceTB/SmolVLM-256M-Instruct`. */
  id: string;
  revision: string;
  name: string;
  architecture: HubArchitecture;
  description: string;
  licence: string;
  /** What the published model card gives as its download for the WASM choice; the app checks the real sizes with the server before a download starts. */
  approxMB: number;
  sessions: SessionName[];
  /** fp16 only where the adapter has `shader-f16`; decoders always with 4-bit weights. */
  dtypes: Record<DeviceKind, Partial<Record<SessionName, Dtype>>>;
  /** The small files every model needs besides its graphs. */
  configFiles: string[];
}

const SMOLVLM_FILES = [
  'config.json',
  'generation_config.json',
  'preprocessor_config.json',
  'processor_config.json',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

const SMOLVLM_DTYPES: HubModel['dtypes'] = {
  'webgpu-f16': { vision_encoder: 'fp16', embed_tokens: 'fp16', decoder_model_merged: 'q4' },
  webgpu: { vision_encoder: 'fp32', embed_tokens: 'fp32', decoder_model_merged: 'q4' },
  wasm: { vision_encoder: 'q4', embed_tokens: 'q4', decoder_model_merged: 'q4' },
};

export const CATALOGUE: HubModel[] = [
  {
    id: 'HuggingFaceTB/SmolVLM-256M-Instruct',
    revision: 'main',
    name: 'SmolVLM 256M',
    architecture: 'smolvlm',
    description: 'The smallest SmolVLM: captions and questions about photos. Fast, sometimes wrong on details.',
    licence: 'Apache-2.0',
    approxMB: 250,
    sessions: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'],
    dtypes: SMOLVLM_DTYPES,
    configFiles: SMOLVLM_FILES,
  },
  {
    id: 'HuggingFaceTB/SmolVLM-500M-Instruct',
    revision: 'main',
    name: 'SmolVLM 500M',
    architecture: 'smolvlm',
    description: 'Twice the size of SmolVLM 256M: better answers, slower on WASM.',
    licence: 'Apache-2.0',
    approxMB: 450,
    sessions: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'],
    dtypes: SMOLVLM_DTYPES,
    configFiles: SMOLVLM_FILES,
  },
  {
    id: 'onnx-community/Florence-2-base-ft',
    revision: 'main',
    name: 'Florence-2 base',
    architecture: 'florence2',
    description: 'Captions and object detection: Count draws the boxes it finds. It does not answer free questions.',
    licence: 'MIT',
    approxMB: 180,
    sessions: ['vision_encoder', 'embed_tokens', 'encoder_model', 'decoder_model_merged'],
    dtypes: {
      'webgpu-f16': { vision_encoder: 'fp16', embed_tokens: 'fp16', encoder_model: 'fp16', decoder_model_merged: 'q4' },
      webgpu: { vision_encoder: 'fp32', embed_tokens: 'fp32', encoder_model: 'fp32', decoder_model_merged: 'q4' },
      wasm: { vision_encoder: 'q4', embed_tokens: 'q4', encoder_model: 'q4', decoder_model_merged: 'q4' },
    },
    configFiles: ['config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'],
  },
];

export function findHubModel(id: string): HubModel | undefined {
  return CATALOGUE.find((m) => m.id === id);
}

export function deviceKind(backend: { kind: 'webgpu' | 'wasm' }, shaderF16: boolean): DeviceKind {
  if (backend.kind === 'wasm') return 'wasm';
  return shaderF16 ? 'webgpu-f16' : 'webgpu';
}

const SUFFIX: Record<Dtype, string> = { fp32: '', fp16: '_fp16', q4: '_q4' };

/** Every file a model needs on a device, as paths inside its repo. */
export function modelFiles(model: HubModel, device: DeviceKind): string[] {
  const dtypes = model.dtypes[device];
  return [...model.configFiles, ...model.sessions.map((s) => `onnx/${s}${SUFFIX[dtypes[s] ?? 'fp32']}.onnx`)];
}

export const HUB_ENDPOINT = 'https://huggingface.co';

/** A file of a Hub repo: `{endpoint}/{repo}/resolve/{revision}/{file}`. */
export function hubFile(repo: string, file: string, options: { endpoint?: string; revision?: string } = {}): FileTarget {
  const endpoint = (options.endpoint ?? HUB_ENDPOINT).replace(/\/+$/, '');
  const revision = options.revision ?? 'main';
  const path = file.split('/').map(encodeURIComponent).join('/');
  return { url: `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`, repo, revision, file };
}

