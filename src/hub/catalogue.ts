/**
 * Pretrained vision-language models from the Hugging Face Hub, for real
 * photographs. GVT-tiny (a package in public/models/) stays the default; these
 * download once into Cache Storage and then run offline.
 */

import type { FileTarget } from '../files/file-store';
import { formatBytes } from '../format';
import { FLORENCE2_BASE_SIZES, LFM25_VL_450M_SIZES, SMOLVLM_256M_SIZES, SMOLVLM_500M_SIZES, type PublishedSizes } from './published-sizes';

export type HubArchitecture = 'smolvlm' | 'florence2' | 'lfm2_vl';

/** The ONNX graphs of a model, by the names its Hub repo uses under onnx/. */
export type SessionName = 'vision_encoder' | 'embed_tokens' | 'encoder_model' | 'decoder_model_merged';

/** Weight formats as suffixes of `onnx/{session}{suffix}.onnx` in the Hub repos. */
export type Dtype = 'fp32' | 'fp16' | 'q4';

export type DeviceKind = 'webgpu-f16' | 'webgpu' | 'wasm';

export interface HubModel {
  /** The Hub repo, e.g. `HuggingFaceTB/SmolVLM-256M-Instruct`. */
  id: string;
  /** A commit SHA where one was published; `main` (which moves) only where none could be found. */
  revision: string;
  name: string;
  architecture: HubArchitecture;
  description: string;
  licence: string;
  /** The licence text, where it is not a well-known one. */
  licenceUrl?: string;
  sessions: SessionName[];
  /** fp16 only where the adapter has `shader-f16`; decoders always with 4-bit weights. */
  dtypes: Record<DeviceKind, Partial<Record<SessionName, Dtype>>>;
  /** The small files every model needs besides its graphs: those transformers.js reads. */
  configFiles: string[];
  /** Graphs whose weights sit in `{graph}.onnx_data` beside them; every graph but these `onnx/` files when set. */
  externalData?: { except: string[] };
  /** What the repo's file listing shows per file (published-sizes.ts). */
  sizes: PublishedSizes;
  /** The token embedding table, the largest single weight of these models: one GPU buffer must hold it. */
  embedding: { vocab: number; hidden: number };
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
    // "Add ONNX sample code", after the fixed vision graphs and the fp16 decoder wrap (listing cited in published-sizes.ts).
    revision: 'acc054744d60adea9d88214dab6e2219e6e512a7',
    name: 'SmolVLM 256M',
    architecture: 'smolvlm',
    description: 'The smallest SmolVLM: captions and questions about photos. Fast, sometimes wrong on details.',
    licence: 'Apache-2.0',
    sessions: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'],
    dtypes: SMOLVLM_DTYPES,
    configFiles: SMOLVLM_FILES,
    sizes: SMOLVLM_256M_SIZES,
    // 49280 x 576 float32 = 113.5 MB: the 114 MB embed_tokens.onnx of its listing.
    embedding: { vocab: 49280, hidden: 576 },
  },
  {
    id: 'HuggingFaceTB/SmolVLM-500M-Instruct',
    // The commit public projects pin when they run its ONNX graphs with transformers.js (fp32 vision and
    // embeddings with the q4 decoder, as here on WebGPU) and mteb's SmolVLM entry names; no listing of the
    // repo at this commit was found (see README).
    revision: 'a7da5b986cb59b408707209984f360a5f4ad7e47',
    name: 'SmolVLM 500M',
    architecture: 'smolvlm',
    description: 'Twice the size of SmolVLM 256M: better answers, slower on WASM.',
    licence: 'Apache-2.0',
    sessions: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'],
    dtypes: SMOLVLM_DTYPES,
    configFiles: SMOLVLM_FILES,
    sizes: SMOLVLM_500M_SIZES,
    // The same SmolLM2 vocabulary, 960 wide (unverified here: no listing of its graphs was found).
    embedding: { vocab: 49280, hidden: 960 },
  },
  {
    id: 'onnx-community/Florence-2-base-ft',
    // A commit that holds the 4-bit graphs: public download scripts fetch onnx/vision_encoder_q4.onnx,
    // encoder_model_q4.onnx and embed_tokens_q4.onnx at it, and a vendored-model table counts 48 ONNX files there.
    revision: 'e88a44eaf3791a35eae0c5a47b3dbcd36e67eb6f',
    name: 'Florence-2 base',
    architecture: 'florence2',
    description: 'Captions and object detection: Count draws the boxes it finds. It does not answer free questions.',
    licence: 'MIT',
    sessions: ['vision_encoder', 'embed_tokens', 'encoder_model', 'decoder_model_merged'],
    dtypes: {
      'webgpu-f16': { vision_encoder: 'fp16', embed_tokens: 'fp16', encoder_model: 'fp16', decoder_model_merged: 'q4' },
      webgpu: { vision_encoder: 'fp32', embed_tokens: 'fp32', encoder_model: 'fp32', decoder_model_merged: 'q4' },
      wasm: { vision_encoder: 'q4', embed_tokens: 'q4', encoder_model: 'q4', decoder_model_merged: 'q4' },
    },
    configFiles: ['config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    sizes: FLORENCE2_BASE_SIZES,
    // 51289 x 768 float32 = 157.6 MB: the 158 MB embed_tokens.onnx of its listing.
    embedding: { vocab: 51289, hidden: 768 },
  },
  {
    id: 'LiquidAI/LFM2.5-VL-450M-ONNX',
    // No commit SHA of this repo was found in public text (unverified; see README).
    revision: 'main',
    name: 'LFM2.5-VL 450M',
    architecture: 'lfm2_vl',
    // CountBench 73.3 against SmolVLM2-500M's 61.8, as issue #20 quotes the model card.
    description: 'Liquid AI’s small vision model: captions, questions, and the best counting of the small ones.',
    // The model card's front matter: license lfm1.0, license_link LICENSE (https://huggingface.co/LiquidAI/LFM2.5-VL-450M).
    licence: 'LFM Open License v1.0',
    licenceUrl: 'https://huggingface.co/LiquidAI/LFM2.5-VL-450M/blob/main/LICENSE',
    sessions: ['vision_encoder', 'embed_tokens', 'decoder_model_merged'],
    // fp16 vision and embeddings with a 4-bit decoder on WebGPU, as LiquidAI's transformers.js example for
    // LFM2.5-VL-3B-ONNX loads it; on WASM the `lfm` crate's q4 set (q4 vision, fp16 embeddings: there is no
    // embed_tokens_q4 in the repo).
    dtypes: {
      'webgpu-f16': { vision_encoder: 'fp16', embed_tokens: 'fp16', decoder_model_merged: 'q4' },
      webgpu: { vision_encoder: 'fp32', embed_tokens: 'fp32', decoder_model_merged: 'q4' },
      wasm: { vision_encoder: 'q4', embed_tokens: 'fp16', decoder_model_merged: 'q4' },
    },
    configFiles: ['config.json', 'generation_config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    externalData: { except: ['onnx/embed_tokens.onnx'] },
    sizes: LFM25_VL_450M_SIZES,
    // Vocabulary 65,536 (model card), hidden 1024 (the `lfm` crate's config).
    embedding: { vocab: 65536, hidden: 1024 },
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

/** The graph files of a model on a device, as paths inside its repo. */
export function graphFiles(model: HubModel, device: DeviceKind): string[] {
  const dtypes = model.dtypes[device];
  return model.sessions.map((s) => `onnx/${s}${SUFFIX[dtypes[s] ?? 'fp32']}.onnx`);
}

const hasExternalData = (model: HubModel, graph: string) => model.externalData !== undefined && !model.externalData.except.includes(graph);

/** Every file a model needs on a device, as paths inside its repo: config files, graphs and their external data. */
export function modelFiles(model: HubModel, device: DeviceKind): string[] {
  const graphs = graphFiles(model, device);
  return [...model.configFiles, ...graphs, ...graphs.filter((g) => hasExternalData(model, g)).map((g) => `${g}_data`)];
}

/** transformers.js' `use_external_data_format`: one `.onnx_data` chunk per graph that has one. */
export function externalDataFormat(model: HubModel, device: DeviceKind): Record<string, number> {
  return Object.fromEntries(graphFiles(model, device).filter((g) => hasExternalData(model, g)).map((g) => [g.slice('onnx/'.length), 1]));
}

/** What the repo's listing says a device's download weighs: the sum of its files, and how many files it gives no size for. */
export function publishedDownload(model: HubModel, device: DeviceKind): { bytes: number; unknownFiles: number } {
  const sizes = modelFiles(model, device).map((f) => model.sizes[f] ?? null);
  return { bytes: sizes.reduce<number>((sum, s) => sum + (s ?? 0), 0), unknownFiles: sizes.filter((s) => s === null).length };
}

export const HUB_ENDPOINT = 'https://huggingface.co';

/** A file of a Hub repo: `{endpoint}/{repo}/resolve/{revision}/{file}`. */
export function hubFile(repo: string, file: string, options: { endpoint?: string; revision?: string } = {}): FileTarget {
  const endpoint = (options.endpoint ?? HUB_ENDPOINT).replace(/\/+$/, '');
  const revision = options.revision ?? 'main';
  const path = file.split('/').map(encodeURIComponent).join('/');
  return { url: `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`, repo, revision, file };
}


/** The published download, as the picker says it before a model is chosen: "about 335 MB", or what is known and what is not. */
export function downloadEstimate(model: HubModel, device: DeviceKind): string {
  const { bytes, unknownFiles } = publishedDownload(model, device);
  if (unknownFiles === 0) return `about ${formatBytes(bytes)} to download`;
  const known = bytes > 0 ? `over ${formatBytes(bytes)} to download; ` : '';
  return `${known}${unknownFiles} of its files ${unknownFiles === 1 ? 'has' : 'have'} no published size (checked with the server when chosen)`;
}
