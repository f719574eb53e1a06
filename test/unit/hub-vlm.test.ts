/**
 * The Hub-model engine (src/hub/hub-vlm.ts) on the stand-in repos, with
 * every file read through its RepoFiles callback as the worker reads Cache
 * Storage: each task's prompt, streaming, stats, and Florence-2's boxes.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AutoModelForImageTextToText, AutoModelForVision2Seq, AutoProcessor, RawImage, Tensor as HfTensor, type PreTrainedModel, type Tensor } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { externalDataFormat, findHubModel, modelFiles, type HubModel } from '../../src/hub/catalogue';
import { HubVlm, type KeyedImage, type RepoFiles } from '../../src/hub/hub-vlm';
import { HUB_FIXTURES } from '../support/build-hub-fixtures';
import { asFloat32 } from '../../src/hub/transformers-env';

const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png';
const OPTIONS = { maxNewTokens: 6, temperature: 0, topP: 1 };

/** The repo's files from disk; records what the engine asked for. */
function repoFiles(model: HubModel, asked: string[]): RepoFiles {
  return async (path) => {
    asked.push(path);
    const file = join(HUB_FIXTURES, model.id, path);
    return existsSync(file) ? new Uint8Array(readFileSync(file)) : null;
  };
}

let photo: RawImage;
let chelsea: KeyedImage;
beforeAll(async () => {
  photo = await RawImage.read(PHOTO);
  chelsea = { key: 'chelsea', image: photo };
});

describe('SmolVLM through the Hub engine', () => {
  const model = findHubModel('HuggingFaceTB/SmolVLM-256M-Instruct')!;
  let vlm: HubVlm;
  const asked: string[] = [];
  beforeAll(async () => {
    vlm = await HubVlm.load(model, repoFiles(model, asked), 'wasm', { device: 'cpu' });
  });

  it('loads exactly the files the catalogue lists for the device', () => {
    const needed = modelFiles(model, 'wasm');
    expect(needed.filter((f) => f.startsWith('onnx/'))).toEqual(['onnx/vision_encoder_q4.onnx', 'onnx/embed_tokens_q4.onnx', 'onnx/decoder_model_merged_q4.onnx']);
    for (const file of new Set(asked)) {
      if (existsSync(join(HUB_FIXTURES, model.id, file))) expect(needed).toContain(file);
    }
    for (const file of needed.filter((f) => f.startsWith('onnx/'))) expect(asked).toContain(file);
  });

  it.each([
    { task: 'caption' as const },
    { task: 'count' as const, object: 'cats' },
    { task: 'vqa' as const, question: 'What animal is this?' },
  ])('answers $task with streamed text and its stats', async (request) => {
    const streamed: string[] = [];
    // A key of its own: the photo is processed and encoded afresh.
    const answer = await vlm.answer({ key: request.task, image: photo }, request, OPTIONS, (t) => streamed.push(t));
    expect(answer.stats.newTokens).toBe(OPTIONS.maxNewTokens); // random weights never say EOS
    expect(answer.stats.stopReason).toBe('max_tokens');
    // Splitting on, as the repo's processor says: the 451x300 photo is 3x4 tiles of 512 px and the global view, 64 image
    // tokens each, plus tile markers and the question (without splitting it would be 64 image tokens in all).
    expect(answer.stats.prefillTokens).toBeGreaterThan(13 * 64);
    expect(answer.stats.prefillTokens).toBeLessThan(13 * 64 + 150);
    expect(answer.encodeMs).toBeGreaterThan(0);
    expect(streamed.join('').trim()).toBe(answer.text);
  });

  it('answers a follow-up on the same image from its kept prefix cache: only the question prefilled, sooner, alike', async () => {
    const photoOnce = { key: 'follow-up', image: photo };
    const first = await vlm.answer(photoOnce, { task: 'caption' }, OPTIONS, () => {});
    const followUp = await vlm.answer(photoOnce, { task: 'caption' }, OPTIONS, () => {});
    expect(first.stats).toMatchObject({ imageReused: false, prefixReused: false });
    expect(first.encodeMs).toBeGreaterThan(0);
    expect(followUp.stats).toMatchObject({ imageReused: true, prefixReused: true });
    expect(followUp.encodeMs).toBe(first.encodeMs); // the image's one encode, as GVT-tiny's engine reports it
    // 13 tiles of 64 image tokens come from the cache; what is prefilled is the question and the chat's tail.
    expect(first.stats.prefillTokens).toBeGreaterThan(13 * 64);
    expect(followUp.stats.prefillTokens).toBeLessThan(40);
    expect(followUp.tokenIds).toEqual(first.tokenIds);
    expect(followUp.stats.firstTokenMs).toBeLessThan(first.stats.firstTokenMs);
  });

  it('gives the tokens transformers.js gives for the whole prompt at once, though it prefills the image prefix apart', async () => {
    // Loaded through the same files as the engine (transformers.js is pointed at them), run the plain way.
    const processor = await AutoProcessor.from_pretrained(model.id, { revision: model.revision });
    const network = (await AutoModelForVision2Seq.from_pretrained(model.id, { revision: model.revision, dtype: model.dtypes.wasm })) as PreTrainedModel;
    try {
      const question = 'What animal is this?';
      const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: question }] }];
      const prompt = processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
      const inputs = await processor(prompt, [photo]);
      const whole = (await network.generate({ ...inputs, max_new_tokens: 6, do_sample: false })) as Tensor;
      const expected = (whole.tolist() as bigint[][])[0].slice(inputs.input_ids.dims[1]).map(Number);
      const keyed = { key: 'parity', image: photo };
      for (let i = 0; i < 2; i++) {
        const answer = await vlm.answer(keyed, { task: 'vqa', question }, { ...OPTIONS, maxNewTokens: 6 }, () => {});
        expect(answer.stats.prefixReused).toBe(i === 1);
        expect(answer.tokenIds).toEqual(expected);
      }
    } finally {
      await network.dispose();
    }
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const answer = await vlm.answer(chelsea, { task: 'caption' }, { ...OPTIONS, maxNewTokens: 50 }, () => controller.abort(), controller.signal);
    expect(answer.stats.stopReason).toBe('cancelled');
    expect(answer.stats.newTokens).toBeLessThan(50);
  });
});

describe('Florence-2 through the Hub engine', () => {
  const model = findHubModel('onnx-community/Florence-2-base-ft')!;
  let vlm: HubVlm;
  beforeAll(async () => {
    vlm = await HubVlm.load(model, repoFiles(model, []), 'wasm', { device: 'cpu' });
  });

  it('counts the boxes it detects for what was asked, in image pixels', async () => {
    // The stand-in decoder always detects one cat and one dog (see tools/hub_fixtures).
    const cats = await vlm.answer(chelsea, { task: 'count', object: 'cats' }, { ...OPTIONS, maxNewTokens: 20 }, () => {});
    expect(cats.text).toBe('1 cats.');
    expect(cats.boxes).toHaveLength(1);
    const box = cats.boxes![0];
    expect(box.label).toBe('cat');
    expect(box.x1).toBeCloseTo((120.5 / 1000) * photo.width);
    expect(box.y2).toBeCloseTo((930.5 / 1000) * photo.height);
    const all = await vlm.answer(chelsea, { task: 'count', object: 'objects' }, { ...OPTIONS, maxNewTokens: 20 }, () => {});
    expect(all.boxes!.map((b) => b.label)).toEqual(['cat', 'dog']);
  });

  it('answers Identify from the detections and refuses free questions with the reason', async () => {
    const horse = await vlm.answer(chelsea, { task: 'identify', object: 'horse' }, { ...OPTIONS, maxNewTokens: 20 }, () => {});
    expect(horse.text).toBe('No. It found: cat, dog.');
    await expect(vlm.answer(chelsea, { task: 'vqa', question: 'Why?' }, OPTIONS, () => {})).rejects.toThrow(/does not answer free questions/);
  });
});

describe('LFM2.5-VL through the Hub engine', () => {
  const model = findHubModel('LiquidAI/LFM2.5-VL-450M-ONNX')!;
  let vlm: HubVlm;
  const asked: string[] = [];
  beforeAll(async () => {
    vlm = await HubVlm.load(model, repoFiles(model, asked), 'wasm', { device: 'cpu' });
  });

  it('loads exactly the catalogue’s files for the device, external data included', () => {
    const needed = modelFiles(model, 'wasm');
    expect(needed.filter((f) => f.startsWith('onnx/'))).toEqual([
      'onnx/vision_encoder_q4.onnx',
      'onnx/embed_tokens_fp16.onnx',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/vision_encoder_q4.onnx_data',
      'onnx/embed_tokens_fp16.onnx_data',
      'onnx/decoder_model_merged_q4.onnx_data',
    ]);
    const present = [...new Set(asked)].filter((file) => existsSync(join(HUB_FIXTURES, model.id, file)));
    expect(present.sort()).toEqual([...needed].sort());
  });

  it('answers a question about a large photo through its tiles, and the follow-up from the kept prefix cache (conv and attention)', async () => {
    const large = { key: 'large', image: await photo.resize(1804, 1200) };
    const first = await vlm.answer(large, { task: 'vqa', question: 'What animal is this?' }, OPTIONS, () => {});
    // 6 tiles of 256 tokens and a thumbnail: well over a thousand image tokens.
    expect(first.stats.prefillTokens).toBeGreaterThan(6 * 256);
    expect(first.stats.newTokens).toBe(OPTIONS.maxNewTokens);
    expect(first.encodeMs).toBeGreaterThan(0);
    const followUp = await vlm.answer(large, { task: 'vqa', question: 'What animal is this?' }, OPTIONS, () => {});
    expect(followUp.stats).toMatchObject({ imageReused: true, prefixReused: true });
    expect(followUp.stats.prefillTokens).toBeLessThan(40);
    expect(followUp.encodeMs).toBe(first.encodeMs);
    expect(followUp.tokenIds).toEqual(first.tokenIds);

    // The same tokens as transformers.js gives for the whole prompt at once: the convolution states and the
    // attention cache continue where the image prefix left them.
    const processor = await AutoProcessor.from_pretrained(model.id, { revision: model.revision });
    const external = { use_external_data_format: externalDataFormat(model, 'wasm') };
    const network = (await AutoModelForImageTextToText.from_pretrained(model.id, { revision: model.revision, dtype: model.dtypes.wasm, ...external })) as PreTrainedModel;
    try {
      const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'What animal is this?' }] }];
      const prompt = processor.apply_chat_template(messages as never, { add_generation_prompt: true }) as string;
      const inputs = await processor(large.image, prompt);
      const whole = (await network.generate({ ...inputs, max_new_tokens: OPTIONS.maxNewTokens, do_sample: false })) as Tensor;
      expect((whole.tolist() as bigint[][])[0].slice(inputs.input_ids.dims[1]).map(Number)).toEqual(first.tokenIds);
    } finally {
      await network.dispose();
    }
    expect(followUp.stats.firstTokenMs).toBeLessThan(first.stats.firstTokenMs);
  });
});

describe('between sessions', () => {
  it('casts float16 features to the float32 the decoder takes, and leaves float32 alone', () => {
    // 1.0, -2.0 and 0.5 in IEEE half precision.
    const half = new HfTensor('float16', new Uint16Array([0x3c00, 0xc000, 0x3800]), [1, 3]);
    const cast = asFloat32(half);
    expect(cast.type).toBe('float32');
    expect(Array.from(cast.data as Float32Array)).toEqual([1, -2, 0.5]);
    const full = new HfTensor('float32', new Float32Array([1, 2]), [2]);
    expect(asFloat32(full)).toBe(full);
  });
});
