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
  // Not in the listings at the pin: these four from the repo's tree API at `main`
  // (https://huggingface.co/api/models/HuggingFaceTB/SmolVLM-256M-Instruct/tree/main/onnx) as a public model
  // survey quotes it to two decimals. main's decoder (86.56 MB) was re-uploaded after the pin, but its
  // vision_encoder_fp16.onnx (187.29 MB) is the pin's 187 MB file, and vision_encoder.onnx here with the two
  // files above gives the ~575 MB issue #20 states for WebGPU without shader-f16.
  'onnx/vision_encoder.onnx': 374.32 * MB,
  'onnx/vision_encoder_q4.onnx': 63.78 * MB,
  'onnx/embed_tokens_fp16.onnx': 56.77 * MB,
  'onnx/embed_tokens_q4.onnx': 113.54 * MB,
};

/**
 * HuggingFaceTB/SmolVLM-500M-Instruct at a7da5b986cb59b408707209984f360a5f4ad7e47. The root files: the listing
 * of its refs/pr/3 ("Wrap fp16 inputs for ONNX decoder", 9ab0f87)
 * https://huggingface.co/HuggingFaceTB/SmolVLM-500M-Instruct/tree/refs%2Fpr%2F3. The graphs: its tree API
 * (https://huggingface.co/api/models/HuggingFaceTB/SmolVLM-500M-Instruct/tree/main/onnx) as a public model
 * survey quotes it to two decimals. That they hold at the pin: a public VLM audit (BUILDPLAN-ANALYZER-005J,
 * 6 October 2026, read from the Hub's API) sums q4 vision, fp32 embeddings and q4 decoder at a7da5b9 to
 * 485 088 978 bytes; the three below add up to 485.09 MB.
 */
export const SMOLVLM_500M_SIZES: PublishedSizes = {
  'config.json': 7.34 * kB,
  'generation_config.json': 136,
  'preprocessor_config.json': 486,
  'processor_config.json': 68,
  'special_tokens_map.json': 1.07 * kB,
  'tokenizer.json': 3.55 * MB,
  'tokenizer_config.json': 28.2 * kB,
  'onnx/decoder_model_merged_q4.onnx': 229.12 * MB,
  'onnx/embed_tokens.onnx': 189.24 * MB,
  'onnx/embed_tokens_fp16.onnx': 94.62 * MB,
  'onnx/embed_tokens_q4.onnx': 189.24 * MB,
  'onnx/vision_encoder.onnx': 393.19 * MB,
  'onnx/vision_encoder_fp16.onnx': 196.73 * MB,
  'onnx/vision_encoder_q4.onnx': 66.73 * MB,
};

/**
 * onnx-community/Florence-2-base-ft. Root files and fp32 graphs: its listings
 * https://huggingface.co/onnx-community/Florence-2-base-ft/tree/main and
 * .../tree/21d4c6b8e277c8bdbd1159a0b5295e7c966b3b15/onnx. The 4-bit graphs, added later ("Upload q4f16 ONNX
 * weights (#6)"): from the listing of a copy of that folder, https://huggingface.co/jeiku/Florence-2-base-ft-onnx-q4/tree/main/onnx
 * (a copy with an older tokenizer; its q4 set adds up to the 334 MB issue #20 gives for the WASM choice;
 * the repo's own tree API at main, as a public model survey quotes it, agrees: encoder_model_q4 30.06 MB,
 * decoder_model_merged_q4 64.39 MB). The fp16 vision and embedding graphs: that same survey. The fp16 encoder,
 * in bytes: a table of Florence-2 files "checked against downloaded bytes" at the pinned e88a44e, with their
 * sha256 (rutmehta/tessera, crates/ml-caption/README.md), which gives the two fp16 graphs above to the byte
 * (183 930 536 and 78 780 290).
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
  'onnx/vision_encoder_fp16.onnx': 183.93 * MB,
  'onnx/encoder_model_fp16.onnx': 86_747_414,
  'onnx/embed_tokens_fp16.onnx': 78.78 * MB,
};

/**
 * LiquidAI/LFM2.5-VL-450M-ONNX: its file names (every graph but embed_tokens.onnx with an `.onnx_data` beside
 * it) from the model loader of the `lfm` Rust crate, which downloads that repo (https://docs.rs/crate/lfm/0.1.0).
 * The q4 vision and decoder files: the exact byte counts a public Android app (kazuph's g4cam, `LocalModelSpecs`)
 * checks its downloads from that repo's `main` against. config.json, tokenizer.json and the fp16 vision and
 * embedding files: a download-size test of a public browser app (barakplasma/Aura, test/model-size.test.js)
 * that takes them as "LFM2.5-VL's real shape" and gives the q4 decoder's two files to the byte as g4cam does.
 * No listing of the other sizes or a commit SHA was found.
 */
export const LFM25_VL_450M_SIZES: PublishedSizes = {
  'config.json': 2_540,
  'tokenizer.json': 4_733_040,
  'onnx/vision_encoder_fp16.onnx': 123_551,
  'onnx/vision_encoder_fp16.onnx_data': 188_469_760,
  'onnx/embed_tokens_fp16.onnx': 573,
  'onnx/embed_tokens_fp16.onnx_data': 134_217_728,
  'onnx/vision_encoder_q4.onnx': 146_157,
  'onnx/vision_encoder_q4.onnx_data': 59_982_848,
  'onnx/decoder_model_merged_q4.onnx': 171_898,
  'onnx/decoder_model_merged_q4.onnx_data': 481_030_144,
};
