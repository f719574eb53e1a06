/**
 * What the real Hub repos publish about the files the app fetches: the size
 * each file listing shows, in bytes, at the revision the catalogue pins. The
 * Hub is out of reach from where this was written, so every figure comes from
 * a public copy of the repo's file listing (named per repo below) and is as
 * rounded as the listing shows it (3 significant digits: `86.9 MB`). null: no
 * public listing of that file was found; the app then learns its size from
 * the server's HEAD before a download, as it does for every file anyway.
 */

/** Bytes as the Hub's listings print them (decimal units). */
const kB = 1e3;
const MB = 1e6;

export type PublishedSizes = Record<string, number | null>;

/**
 * HuggingFaceTB/SmolVLM-256M-Instruct at acc054744d60adea9d88214dab6e2219e6e512a7:
 * https://huggingface.co/HuggingFaceTB/SmolVLM-256M-Instruct/tree/acc054744d60adea9d88214dab6e2219e6e512a7
 * and .../tree/acc054744d60adea9d88214dab6e2219e6e512a7/onnx; vision_encoder_fp16.onnx from its blob page
 * (.../blob/ab233b748a507d878b19ab31294cf257a47439bd/onnx/vision_encoder_fp16.onnx, "Upload fixed vision ONNX
 * weights (#2)", the version acc0547 still holds).
 */
export const SMOLVLM_256M_SIZES: PublishedSizes = {
  'config.json': 7.35 * kB,
  'generation_config.json': 136,
  'preprocessor_config.json': 486,
  'processor_config.json': 68,
  'special_tokens_map.json': 1.07 * kB,
  'tokenizer.json': 3.55 * MB,
  'tokenizer_config.json': 28.2 * kB,
  'onnx/decoder_model_merged_q4.onnx': 86.9 * MB,
  'onnx/embed_tokens.onnx': 114 * MB,
  'onnx/vision_encoder_fp16.onnx': 187 * MB,
  // Not in the public listings found: the WebGPU-without-f16 set is about 575 MB by issue #20, which with the
  // two files above makes vision_encoder.onnx about 374 MB (twice its fp16 file), unverified.
  'onnx/vision_encoder.onnx': null,
  'onnx/vision_encoder_q4.onnx': null,
  'onnx/embed_tokens_fp16.onnx': null,
  'onnx/embed_tokens_q4.onnx': null,
};

/**
 * HuggingFaceTB/SmolVLM-500M-Instruct: the root listing of its refs/pr/3 ("Wrap fp16 inputs for ONNX decoder",
 * 9ab0f87) https://huggingface.co/HuggingFaceTB/SmolVLM-500M-Instruct/tree/refs%2Fpr%2F3 gives the small
 * files; no public listing of its onnx/ folder was found, nor a full commit SHA to pin.
 */
export const SMOLVLM_500M_SIZES: PublishedSizes = {
  'config.json': 7.34 * kB,
  'generation_config.json': 136,
  'preprocessor_config.json': 486,
  'processor_config.json': 68,
  'special_tokens_map.json': 1.07 * kB,
  'tokenizer.json': 3.55 * MB,
  'tokenizer_config.json': 28.2 * kB,
};

/**
 * onnx-community/Florence-2-base-ft. Root files and fp32 graphs: its listings
 * https://huggingface.co/onnx-community/Florence-2-base-ft/tree/main and
 * .../tree/21d4c6b8e277c8bdbd1159a0b5295e7c966b3b15/onnx. The 4-bit graphs, added later ("Upload q4f16 ONNX
 * weights (#6)"): from the listing of a copy of that folder, https://huggingface.co/jeiku/Florence-2-base-ft-onnx-q4/tree/main/onnx
 * (a copy with an older tokenizer; its q4 set adds up to the 334 MB issue #20 gives for the WASM choice).
 */
export const FLORENCE2_BASE_SIZES: PublishedSizes = {
  'config.json': 5.41 * kB,
  'generation_config.json': 292,
  'preprocessor_config.json': 2.67 * kB,
  'tokenizer.json': 2.3 * MB,
  'tokenizer_config.json': 198 * kB,
  'onnx/vision_encoder.onnx': 367 * MB,
  'onnx/encoder_model.onnx': 173 * MB,
  'onnx/embed_tokens.onnx': 158 * MB,
  'onnx/vision_encoder_q4.onnx': 81.2 * MB,
  'onnx/encoder_model_q4.onnx': 30.1 * MB,
  'onnx/embed_tokens_q4.onnx': 158 * MB,
  'onnx/decoder_model_merged_q4.onnx': 64.4 * MB,
  'onnx/vision_encoder_fp16.onnx': null,
  'onnx/encoder_model_fp16.onnx': null,
  'onnx/embed_tokens_fp16.onnx': null,
};

/**
 * LiquidAI/LFM2.5-VL-450M-ONNX: its file names (every graph but embed_tokens.onnx with an `.onnx_data` beside
 * it) from the model loader of the `lfm` Rust crate, which downloads that repo (https://docs.rs/crate/lfm/0.1.0);
 * no public listing of the sizes or a commit SHA was found.
 */
export const LFM25_VL_450M_SIZES: PublishedSizes = {};
