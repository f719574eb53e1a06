"""The JSON files of the LFM2.5-VL-450M stand-in (LiquidAI/LFM2.5-VL-450M-ONNX).

What the processor and generation read carries the real values, so that
transformers.js (Lfm2VlImageProcessor, Lfm2VlProcessor) takes the path it
takes with real weights: 512 px tiles of 16 px patches, a 2x2 downsample to
256 tokens a tile, a thumbnail, and the real ids of the tokens whose role
matters (pad 0, bos 1, eos <|im_end|> 7, <image> 396). Sources:

- model card (https://huggingface.co/LiquidAI/LFM2.5-VL-450M): SigLIP2 NaFlex
  encoder, 512x512 tiles with a thumbnail, min_image_tokens 32,
  max_image_tokens 256, do_image_splitting True, vocabulary 65,536, the
  ChatML-like prompt `<|startoftext|><|im_start|>user\\n<image>...<|im_end|>\\n<|im_start|>assistant\\n`;
- the `lfm` Rust crate that runs this repo (https://docs.rs/crate/lfm/0.1.0): hidden 1024, 16 layers with
  attention at 2, 5, 8, 10, 12, 14 and short convolutions elsewhere, 8 kv heads of 64, image_token_id 396,
  eos 7, patch 16, downsample 2, min_tiles 2, max_tiles 10, thumbnail on, max_pixels_tolerance 2.0, and
  its generation_config.json (bos 1, eos 7, pad 0);
- the conv cache length 3 (`conv_L_cache`) of the LFM2 configs, e.g.
  https://huggingface.co/onnx-community/LFM2-8B-A1B-ONNX/blob/main/config.json.

Widths and depths are the stand-in's (text 64 wide, 3 layers: the real first
three, conv, conv, attention).
"""

from . import bpe
from .files import dump_json

PATCH = 16
TILE = 512
DOWNSAMPLE = 2
MAX_IMAGE_TOKENS = 256
MIN_IMAGE_TOKENS = 32
CONV_L_CACHE = 3
VOCAB_SIZE = 512
IMAGE_TOKEN_ID = 396
# The real first 8 ids' roles: <|pad|> 0, <|startoftext|> 1, <|im_start|> 6, <|im_end|> 7 (eos).
LEADING = ["<|pad|>", "<|startoftext|>", "<|endoftext|>", "<|fim_pre|>", "<|fim_mid|>", "<|fim_suf|>",
           "<|im_start|>", "<|im_end|>"]
TEXT = dict(hidden=64, heads=4, kv_heads=2, head_dim=16, intermediate=128,
            layer_types=["conv", "conv", "full_attention"], seed=450)
VISION = dict(hidden=32, intermediate=64)

# The card's ChatML-like format for a message list of images and text (the real template does more: tools, system).
CHAT_TEMPLATE = (
    "{{- bos_token -}}{%- for message in messages -%}{{- '<|im_start|>' + message['role'] + '\n' -}}"
    "{%- if message['content'] is string -%}{{- message['content'] -}}{%- else -%}"
    "{%- for item in message['content'] -%}{%- if item['type'] == 'image' -%}{{- '<image>' -}}"
    "{%- elif item['type'] == 'text' -%}{{- item['text'] -}}{%- endif -%}{%- endfor -%}{%- endif -%}"
    "{{- '<|im_end|>\n' -}}{%- endfor -%}{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\n' -}}{%- endif -%}"
)


def image_tokens():
    """<image> at its real id, then the tiling markers (rows and columns up to max_tiles 10)."""
    return ["<|image_start|>", "<|image_end|>", "<|img_thumbnail|>"] + [
        f"<|img_row_{r}_col_{c}|>" for r in range(1, 11) for c in range(1, 11)]


def tokenizer_files(folder):
    vocab, merges = bpe.build_vocab(LEADING, IMAGE_TOKEN_ID)
    extra = ["<image>"] + image_tokens()
    extra += [f"<|reserved_{i}|>" for i in range(VOCAB_SIZE - IMAGE_TOKEN_ID - len(extra))]
    ids = {tok: i for i, tok in enumerate(LEADING)}
    added = [bpe.added_token(i, tok) for i, tok in enumerate(LEADING)]
    for i, tok in enumerate(extra):
        ids[tok] = IMAGE_TOKEN_ID + i
        added.append(bpe.added_token(ids[tok], tok))
    assert ids["<image>"] == IMAGE_TOKEN_ID and len(LEADING) + 256 + len(merges) + len(extra) == VOCAB_SIZE
    pre = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    post = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}
    dump_json(folder, "tokenizer.json", bpe.tokenizer_json(vocab, merges, added, pre, post))
    dump_json(folder, "tokenizer_config.json", {
        "added_tokens_decoder": {str(a["id"]): {k: a[k] for k in ("content", "lstrip", "normalized", "rstrip",
                                                                   "single_word", "special")} for a in added},
        "bos_token": "<|startoftext|>",
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "legacy": False,
        "model_max_length": 32768,
        "pad_token": "<|pad|>",
        "processor_class": "Lfm2VlProcessor",
        "tokenizer_class": "PreTrainedTokenizerFast",
    })
    return ids


def config_files(folder, ids):
    t = TEXT
    dump_json(folder, "config.json", {
        "architectures": ["Lfm2VlForConditionalGeneration"],
        "downsample_factor": DOWNSAMPLE,
        "image_token_id": IMAGE_TOKEN_ID,
        "model_type": "lfm2_vl",
        "text_config": {
            "bos_token_id": ids["<|startoftext|>"],
            "conv_L_cache": CONV_L_CACHE,
            "eos_token_id": ids["<|im_end|>"],
            "hidden_size": t["hidden"],
            "intermediate_size": t["intermediate"],
            "layer_types": t["layer_types"],
            "max_position_embeddings": 128000,
            "model_type": "lfm2",
            "norm_eps": 1e-05,
            "num_attention_heads": t["heads"],
            "num_hidden_layers": len(t["layer_types"]),
            "num_key_value_heads": t["kv_heads"],
            "pad_token_id": ids["<|pad|>"],
            "rope_theta": 1000000.0,
            "vocab_size": VOCAB_SIZE,
        },
        "vision_config": {"hidden_size": VISION["hidden"], "model_type": "siglip2_vision_model",
                          "num_channels": 3, "patch_size": PATCH},
        "vocab_size": VOCAB_SIZE,
    })
    dump_json(folder, "generation_config.json", {
        "_from_model_config": True,
        "bos_token_id": ids["<|startoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "pad_token_id": ids["<|pad|>"],
    })
    # The tiling values are the real ones (sources above); rescale and mean/std 0.5 are SigLIP2's, not re-read.
    dump_json(folder, "preprocessor_config.json", {
        "do_image_splitting": True,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": False,
        "downsample_factor": DOWNSAMPLE,
        "encoder_patch_size": PATCH,
        "image_mean": [0.5, 0.5, 0.5],
        "image_processor_type": "Lfm2VlImageProcessor",
        "image_std": [0.5, 0.5, 0.5],
        "max_image_tokens": MAX_IMAGE_TOKENS,
        "max_pixels_tolerance": 2.0,
        "max_tiles": 10,
        "min_image_tokens": MIN_IMAGE_TOKENS,
        "min_tiles": 2,
        "processor_class": "Lfm2VlProcessor",
        "rescale_factor": 0.00392156862745098,
        "tile_size": TILE,
        "use_thumbnail": True,
    })
