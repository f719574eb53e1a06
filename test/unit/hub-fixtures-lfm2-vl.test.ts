/**
 * The LFM2.5-VL-450M stand-in (tools/hub_fixtures/lfm2_vl*.py) through the
 * real @huggingface/transformers code in Node: the repo's layout with its
 * external-data files, Lfm2VlProcessor's tiling (images first), and
 * generation with the conv and attention caches its layer types name.
 */
import { AutoModelForImageTextToText, AutoProcessor, RawImage, type PreTrainedModel, type Processor, type Tensor } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HubFixtures } from '../support/build-hub-fixtures';
import { useLocalHub } from '../support/local-hub';

const LFM = 'LiquidAI/LFM2.5-VL-450M-ONNX';
type Dtype = NonNullable<Parameters<typeof AutoModelForImageTextToText.from_pretrained>[1]>['dtype'];
const ids = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);

let fixtures: HubFixtures;
let photo: RawImage;

beforeAll(async () => {
  ({ fixtures, photo } = await useLocalHub());
});

describe(LFM, () => {
  let processor: Processor;
  let prompt: string;

  beforeAll(async () => {
    processor = await AutoProcessor.from_pretrained(LFM);
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this image.' }] }];
    prompt = processor.apply_chat_template(messages, { add_generation_prompt: true }) as string;
  });

  it('has every graph but the fp32 embeddings with its weights in .onnx_data, and no embed_tokens_q4, as the real repo', () => {
    const paths = fixtures.repos[LFM].files.map((f) => f.path);
    for (const graph of ['vision_encoder', 'vision_encoder_fp16', 'vision_encoder_q4', 'embed_tokens_fp16', 'decoder_model_merged', 'decoder_model_merged_fp16', 'decoder_model_merged_q4']) {
      expect(paths).toContain(`onnx/${graph}.onnx`);
      expect(paths).toContain(`onnx/${graph}.onnx_data`);
    }
    expect(paths).toContain('onnx/embed_tokens.onnx');
    expect(paths).not.toContain('onnx/embed_tokens.onnx_data');
    expect(paths.filter((p) => p.startsWith('onnx/embed_tokens_q4'))).toEqual([]);
  });

  it('takes the image first, keeps a small photo whole and tiles a large one into 512 px tiles and a thumbnail', async () => {
    // The card's prompt format, with bos, <|im_start|> 6, <|im_end|> 7 and <image> 396 at their real ids.
    expect(prompt).toBe('<|startoftext|><|im_start|>user\n<image>Describe this image.<|im_end|>\n<|im_start|>assistant\n');
    const tok = processor.tokenizer!;
    expect([tok.convert_tokens_to_ids('<|pad|>'), tok.convert_tokens_to_ids('<|startoftext|>'), tok.convert_tokens_to_ids('<|im_end|>'), tok.convert_tokens_to_ids('<image>')]).toEqual([0, 1, 7, 396]);
    const imageTokens = (inputs: { input_ids: Tensor }) => ids(inputs.input_ids).filter((id) => id === 396).length;

    // 451x300 is under max_image_tokens (256) x 32 px x 32 px x 2: one tile, resized to multiples of 32 px.
    const small = await processor(photo, prompt);
    expect(small.pixel_values.dims).toEqual([1, 1024, 16 * 16 * 3]);
    const [[rows, cols]] = (small.spatial_shapes as Tensor).tolist() as bigint[][];
    expect(imageTokens(small)).toBe(Math.ceil(Number(rows) / 2) * Math.ceil(Number(cols) / 2));

    // Four times the size: a grid of 512 px tiles (32x32 patches, 256 tokens each) and the thumbnail.
    const large = await processor(await photo.resize(1804, 1200), prompt);
    const shapes = ((large.spatial_shapes as Tensor).tolist() as bigint[][]).map((s) => s.map(Number));
    const tiles = shapes.slice(0, -1);
    expect(tiles.length).toBeGreaterThanOrEqual(2);
    for (const s of tiles) expect(s).toEqual([32, 32]);
    const [th, tw] = shapes.at(-1)!;
    expect(imageTokens(large)).toBe(tiles.length * 256 + Math.ceil(th / 2) * Math.ceil(tw / 2));
    expect(tok.decode(ids(large.input_ids))).toContain('<|img_row_1_col_1|>');
    expect(tok.decode(ids(large.input_ids))).toContain('<|img_thumbnail|>');
  });

  it.each([
    ['q4 vision, fp16 embeddings, q4 decoder (WASM)', { vision_encoder: 'q4', embed_tokens: 'fp16', decoder_model_merged: 'q4' }],
    ['fp32 everywhere but the q4 decoder (WebGPU)', { vision_encoder: 'fp32', embed_tokens: 'fp32', decoder_model_merged: 'q4' }],
  ])('generates with %s, the decoder carrying conv and attention caches', async (_, dtype) => {
    const use_external_data_format = Object.fromEntries(
      Object.entries(dtype).filter(([s, d]) => !(s === 'embed_tokens' && d === 'fp32')).map(([s, d]) => [`${s}${d === 'fp32' ? '' : `_${d}`}.onnx`, 1]),
    );
    const model = (await AutoModelForImageTextToText.from_pretrained(LFM, { dtype: dtype as Dtype, use_external_data_format })) as PreTrainedModel;
    try {
      const session = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions.decoder_model_merged;
      // The text config's layer types name the caches: short convolutions at 0 and 1, attention at 2.
      expect(session.inputNames).toEqual(['inputs_embeds', 'attention_mask', 'past_conv.0', 'past_conv.1', 'past_key_values.2.key', 'past_key_values.2.value']);
      expect(model.generation_config?.eos_token_id).toBe(7);
      const inputs = await processor(await photo.resize(1804, 1200), prompt);
      const out = (await model.generate({ ...inputs, max_new_tokens: 6, do_sample: false })) as Tensor;
      const promptLength = inputs.input_ids.dims[1] as number;
      expect(out.dims).toEqual([1, promptLength + 6]);
    } finally {
      await model.dispose();
    }
  });
});
