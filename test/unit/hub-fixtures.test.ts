/**
 * The tiny Hub stand-ins (tools/hub_fixtures) run through the real
 * @huggingface/transformers code in Node (onnxruntime-node): AutoProcessor and
 * the model class load each repo from disk in every dtype the repos ship, a
 * real photo goes through the processor, and generate() + decoding work. The
 * weights are random, so only shapes, token ids and, for Florence-2, the
 * boxes its decoder is rigged to print are checked.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  AutoModelForVision2Seq,
  AutoProcessor,
  Florence2ForConditionalGeneration,
  RawImage,
  Tensor as HfTensor,
  type Florence2Processor,
  type PreTrainedModel,
  type Processor,
  type Tensor,
} from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { HUB_FIXTURES, type HubFixtures } from '../support/build-hub-fixtures';
import { useLocalHub } from '../support/local-hub';

const SMOLVLM = ['HuggingFaceTB/SmolVLM-256M-Instruct', 'HuggingFaceTB/SmolVLM-500M-Instruct'];
const FLORENCE = 'onnx-community/Florence-2-base-ft';
const LFM = 'LiquidAI/LFM2.5-VL-450M-ONNX';
/** Uniform dtypes (every file variant), and the mixes the app's catalogue uses: fp16 or fp32 encoders, 4-bit decoder. */
const dtypes = (encoders: string[]): [string, string | Record<string, string>][] => [
  ['q4', 'q4'],
  ['fp16', 'fp16'],
  ['fp32', 'fp32'],
  ...['fp16', 'fp32'].map((d): [string, Record<string, string>] => [
    `${d} encoders + q4 decoder`,
    { ...Object.fromEntries(encoders.map((e) => [e, d])), decoder_model_merged: 'q4' },
  ]),
];
const SMOLVLM_DTYPES = dtypes(['vision_encoder', 'embed_tokens']);
const FLORENCE_DTYPES = dtypes(['vision_encoder', 'embed_tokens', 'encoder_model']);
type Dtype = NonNullable<Parameters<typeof AutoModelForVision2Seq.from_pretrained>[1]>['dtype'];

let fixtures: HubFixtures;
let photo: RawImage;

beforeAll(async () => {
  ({ fixtures, photo } = await useLocalHub());
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

const ids = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);

describe('fixtures.json', () => {
  it('lists exactly the files of each repo folder, with their sizes and sha256', () => {
    expect(Object.keys(fixtures.repos).sort()).toEqual([...SMOLVLM, FLORENCE, LFM].sort());
    for (const [repo, { files, total_size }] of Object.entries(fixtures.repos)) {
      const dir = join(HUB_FIXTURES, repo);
      const onDisk = walk(dir).map((f) => relative(dir, f).split(sep).join('/')).sort();
      expect(files.map((f) => f.path)).toEqual(onDisk);
      for (const f of files) {
        expect(statSync(join(dir, f.path)).size, f.path).toBe(f.size);
        expect(sha256(join(dir, f.path)), f.path).toBe(f.sha256);
      }
      expect(total_size).toBe(files.reduce((n, f) => n + f.size, 0));
      expect(total_size).toBeLessThan(8 << 20);
    }
  });

  it('has the real repos’ layout; the two SmolVLM sizes are different models', () => {
    const paths = (repo: string) => fixtures.repos[repo].files.map((f) => f.path);
    const graphs = (names: string[]) => names.flatMap((n) => ['', '_fp16', '_q4'].map((s) => `onnx/${n}${s}.onnx`));
    for (const repo of SMOLVLM) {
      expect(paths(repo)).toEqual(
        expect.arrayContaining([
          'config.json',
          'generation_config.json',
          'preprocessor_config.json',
          'processor_config.json',
          'special_tokens_map.json',
          'tokenizer.json',
          'tokenizer_config.json',
          ...graphs(['vision_encoder', 'embed_tokens', 'decoder_model_merged']),
        ]),
      );
    }
    expect(paths(FLORENCE)).toEqual(
      expect.arrayContaining([
        'config.json',
        'generation_config.json',
        'preprocessor_config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        ...graphs(['vision_encoder', 'embed_tokens', 'encoder_model', 'decoder_model_merged']),
      ]),
    );
    const hashOf = (repo: string, path: string) => fixtures.repos[repo].files.find((f) => f.path === path)?.sha256;
    expect(hashOf(SMOLVLM[0], 'onnx/decoder_model_merged_q4.onnx')).not.toBe(hashOf(SMOLVLM[1], 'onnx/decoder_model_merged_q4.onnx'));
  });
});

describe.each(SMOLVLM)('%s', (repo) => {
  let processor: Processor;
  let prompt: string;

  beforeAll(async () => {
    processor = await AutoProcessor.from_pretrained(repo);
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Can you describe this image?' }] }];
    prompt = processor.apply_chat_template(messages, { add_generation_prompt: true }) as string;
  });

  it('applies the SmolVLM chat template and splits the photo into tiles with image tokens', async () => {
    expect(prompt).toBe('<|im_start|>User:<image>Can you describe this image?<end_of_utterance>\nAssistant:');
    const inputs = await processor(prompt, [photo]);
    // As with the real repos: 451x300 -> longest edge 2048 -> 2048x1536 (multiples of the 512 px tile):
    // 3 rows x 4 cols + the global image, 64 image tokens each.
    expect(inputs.rows).toEqual([[3]]);
    expect(inputs.cols).toEqual([[4]]);
    expect(inputs.pixel_values.dims).toEqual([1, 13, 3, 512, 512]);
    expect(inputs.pixel_values.type).toBe('float32');
    expect(inputs.pixel_attention_mask.dims).toEqual([1, 13, 512, 512]);
    expect(inputs.pixel_attention_mask.type).toBe('bool');
    const seqLen = processor.config.image_seq_len as number;
    expect(seqLen).toBe(64);
    const tok = processor.tokenizer!;
    const imageId = tok.convert_tokens_to_ids('<image>');
    const inputIds = ids(inputs.input_ids);
    expect(inputIds.filter((id) => id === imageId)).toHaveLength(13 * seqLen);
    expect(inputIds).toContain(tok.convert_tokens_to_ids('<global-img>'));
    expect(inputIds).toContain(tok.convert_tokens_to_ids('<row_3_col_4>'));
    expect(inputIds).toContain(tok.convert_tokens_to_ids('<fake_token_around_image>'));
    // Byte-level BPE: any text round-trips, including what the toy corpus never saw.
    const text = 'Zebras über 42 ñandúes 🦓?';
    expect(tok.decode(tok.encode(text), { skip_special_tokens: true })).toBe(text);
  });

  it.each(SMOLVLM_DTYPES)('generates with dtype %s', async (_, dtype) => {
    const model = (await AutoModelForVision2Seq.from_pretrained(repo, { dtype: dtype as Dtype })) as PreTrainedModel;
    try {
      expect(model.config.model_type).toBe('idefics3');
      // The real generation_config.json: it stops at <end_of_utterance> alone and starts from <|endoftext|>.
      const tok = processor.tokenizer!;
      expect(model.generation_config?.eos_token_id).toBe(tok.convert_tokens_to_ids('<end_of_utterance>'));
      expect(model.generation_config?.bos_token_id).toBe(tok.convert_tokens_to_ids('<|endoftext|>'));
      const inputs = await processor(prompt, [photo]);
      const features = (await model.encode_image({
        pixel_values: inputs.pixel_values,
        pixel_attention_mask: inputs.pixel_attention_mask,
      })) as Tensor;
      const text = (model.config as unknown as { text_config: { hidden_size: number; vocab_size: number } }).text_config;
      expect(features.dims).toEqual([13, 64, text.hidden_size]);
      const promptLength = inputs.input_ids.dims[1] as number;
      const out = (await model.generate({ ...inputs, max_new_tokens: 8, do_sample: false })) as Tensor;
      expect(out.dims[0]).toBe(1);
      const added = ids(out).slice(promptLength);
      expect(added.length).toBeGreaterThan(0);
      expect(added.length).toBeLessThanOrEqual(8);
      for (const id of added) expect(id).toBeLessThan(text.vocab_size);
      expect(processor.tokenizer!.get_vocab().size).toBe(text.vocab_size);
      const [answer] = processor.batch_decode(out.slice(null, [promptLength, out.dims[1] as number]), { skip_special_tokens: true });
      expect(typeof answer).toBe('string');
    } finally {
      await model.dispose();
    }
  });
});

describe(FLORENCE, () => {
  let processor: Florence2Processor;

  beforeAll(async () => {
    processor = (await AutoProcessor.from_pretrained(FLORENCE)) as Florence2Processor;
  });

  it('turns task tokens into prompts and the photo into one 768x768 image', async () => {
    const inputs = await processor(photo, '<OD>');
    expect(inputs.pixel_values.dims).toEqual([1, 3, 768, 768]);
    const tok = processor.tokenizer!;
    expect(tok.decode(ids(inputs.input_ids))).toBe('<s>Locate the objects with category name in the image.</s>');
    expect(tok.convert_tokens_to_ids('<loc_999>')).toBe(tok.convert_tokens_to_ids('<loc_0>') + 999);
  });

  it('has a merged decoder whose use_cache_branch picks cached cross-attention over the encoder states', async () => {
    const model = (await Florence2ForConditionalGeneration.from_pretrained(FLORENCE, { dtype: 'fp32' })) as PreTrainedModel;
    try {
      type Run = (feeds: Record<string, unknown>) => Promise<Record<string, { data: Float32Array; dims: number[] }>>;
      const session = (model as unknown as { sessions: Record<string, { inputNames: string[]; run: Run }> }).sessions.decoder_model_merged;
      expect(session.inputNames).toContain('use_cache_branch');
      const text = (model.config as unknown as { text_config: { d_model: number; decoder_attention_heads: number } }).text_config;
      const [d, heads] = [text.d_model, text.decoder_attention_heads];
      const pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
      let seed = 1;
      const random = (dims: number[]) => {
        const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
        return new HfTensor('float32', data, dims).ort_tensor;
      };
      const enc = 5;
      const mask = new HfTensor('int64', new BigInt64Array(enc).fill(1n), [1, enc]).ort_tensor;
      const flag = (on: boolean) => new HfTensor('bool', [on], [1]).ort_tensor;
      const [states, other] = [random([1, enc, d]), random([1, enc, d])];
      const tokens = random([1, 2, d]);
      const tokenAt = (i: number) => new HfTensor('float32', (tokens.data as Float32Array).slice(i * d, (i + 1) * d), [1, 1, d]).ort_tensor;
      const emptyPast = Object.fromEntries(pastNames.map((n) => [n, new HfTensor('float32', new Float32Array(0), [1, heads, 0, d / heads]).ort_tensor]));
      const common = { encoder_attention_mask: mask };
      // Both tokens at once without a cache, as the first step is run.
      const whole = await session.run({ ...common, ...emptyPast, inputs_embeds: tokens, encoder_hidden_states: states, use_cache_branch: flag(false) });
      const first = await session.run({ ...common, ...emptyPast, inputs_embeds: tokenAt(0), encoder_hidden_states: states, use_cache_branch: flag(false) });
      const cache = Object.fromEntries(pastNames.map((n) => [n, first[n.replace('past_key_values', 'present')]]));
      const next = (encoderStates: unknown) =>
        session.run({ ...common, ...cache, inputs_embeds: tokenAt(1), encoder_hidden_states: encoderStates, use_cache_branch: flag(true) });
      const [withStates, withOther] = [await next(states), await next(other)];
      const vocab = withStates.logits.dims[2];
      // The cached step gives the second token's logits of the uncached run; the encoder states it is handed are not read.
      const lastOfWhole = whole.logits.data.slice(vocab);
      withStates.logits.data.forEach((v, i) => expect(v).toBeCloseTo(lastOfWhole[i], 4));
      expect(Array.from(withOther.logits.data)).toEqual(Array.from(withStates.logits.data));
      // Switched off, the same cache is not read: the token is decoded as a first step, alone.
      const off = await session.run({ ...common, ...cache, inputs_embeds: tokenAt(1), encoder_hidden_states: states, use_cache_branch: flag(false) });
      const alone = await session.run({ ...common, ...emptyPast, inputs_embeds: tokenAt(1), encoder_hidden_states: states, use_cache_branch: flag(false) });
      expect(Array.from(off.logits.data)).toEqual(Array.from(alone.logits.data));
      expect(Array.from(off.logits.data)).not.toEqual(Array.from(withStates.logits.data));
      const firstOther = await session.run({ ...common, ...emptyPast, inputs_embeds: tokenAt(0), encoder_hidden_states: other, use_cache_branch: flag(false) });
      expect(Array.from(firstOther.logits.data)).not.toEqual(Array.from(first.logits.data));
    } finally {
      await model.dispose();
    }
  });

  it.each(FLORENCE_DTYPES)('generates <OD> boxes and a caption with dtype %s', async (_, dtype) => {
    const model = (await Florence2ForConditionalGeneration.from_pretrained(FLORENCE, {
      dtype: dtype as Dtype,
    })) as PreTrainedModel;
    try {
      const od = await processor(photo, '<OD>');
      const out = (await model.generate({ ...od, max_new_tokens: 20 })) as Tensor;
      const text = processor.batch_decode(out, { skip_special_tokens: false })[0];
      expect(text).toBe('</s><s>cat<loc_120><loc_85><loc_610><loc_930>dog<loc_40><loc_500><loc_300><loc_980></s>');
      const [w, h] = photo.size;
      const parsed = processor.post_process_generation(text, '<OD>', photo.size)['<OD>'] as {
        labels: string[];
        bboxes: number[][];
      };
      expect(parsed.labels).toEqual(['cat', 'dog']);
      const expected = [
        [120, 85, 610, 930],
        [40, 500, 300, 980],
      ].map((box) => box.map((v, i) => ((v + 0.5) / 1000) * (i % 2 ? h : w)));
      parsed.bboxes.forEach((box, i) => box.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 6)));

      const caption = await processor(photo, '<CAPTION>');
      const short = (await model.generate({ ...caption, max_new_tokens: 8 })) as Tensor;
      expect(short.dims).toEqual([1, 9]); // decoder start + 8 new tokens
      const result = processor.post_process_generation(processor.batch_decode(short)[0], '<CAPTION>', photo.size);
      expect(typeof result['<CAPTION>']).toBe('string');
    } finally {
      await model.dispose();
    }
  });
});
