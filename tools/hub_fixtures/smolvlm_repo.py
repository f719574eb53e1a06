"""The JSON files of the SmolVLM stand-ins: tokenizer, config, generation,
processor and chat template.

What the processor and generation read carries the real repos' values, so that
transformers.js takes the path it takes with real weights (resize to 2048,
split into 512 px tiles, 64 image tokens per tile, stop at
<end_of_utterance>); the sizes of the networks are the stand-in's own.
"""

from . import bpe
from .files import dump_json

SMOLLM2_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<repo_name>", "<reponame>", "<file_sep>",
                    "<filename>", "<gh_stars>", "<issue_start>", "<issue_comment>", "<issue_closed>",
                    "<jupyter_start>", "<jupyter_text>", "<jupyter_code>", "<jupyter_output>", "<jupyter_script>",
                    "<empty_output>"]

# SmolVLM's chat template (tokenizer_config.json / chat_template.json of the real repos).
CHAT_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
    "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n"
    "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)

# Real: SigLIP base patch-16/512 ("SmolVLM Grows Smaller", https://hf.xwall.us.kg/blog/smolervlm), so a
# 512 px tile is 32x32 patches; the width and depth are the stand-in's.
VISION = dict(hidden=32, heads=2, layers=2, intermediate=64, image_size=512, patch_size=16)
# Real: 64 visual tokens per 512x512 patch (model card, https://hf-mirror.492719920.workers.dev./HuggingFaceTB/SmolVLM-256M-Instruct):
# 32x32 patches / 64 = a pixel shuffle of 4.
SCALE_FACTOR = 4
# Real: images resized to a 4 * 512 longest edge, then split into max_image_size 512 squares
# (transformers' SmolVLM docs, https://hf-mirror.492719920.workers.dev/docs/transformers/v4.57.1/en/model_doc/smolvlm).
LONGEST_EDGE = 2048
BASE_VOCAB = 448  # SmolLM2 specials + 256 bytes + merges
VOCAB_SIZE = 512
ROPE_THETA = 100000.0


def image_seq_len():
    patches = (VISION["image_size"] // VISION["patch_size"]) ** 2
    return patches // (SCALE_FACTOR ** 2)


def tokenizer_files(folder):
    """Writes tokenizer.json, tokenizer_config.json, special_tokens_map.json; returns token ids."""
    vocab, merges = bpe.build_vocab(SMOLLM2_SPECIALS, BASE_VOCAB)
    added = [bpe.added_token(i, tok) for i, tok in enumerate(SMOLLM2_SPECIALS)]
    extra = ["<global-img>"] + [f"<row_{r}_col_{c}>" for r in range(1, 7) for c in range(1, 7)]
    extra += ["<fake_token_around_image>", "<image>"]
    reserved = VOCAB_SIZE - BASE_VOCAB - len(extra) - 1
    extra += [f"<|reserved_special_token_{i}|>" for i in range(reserved)] + ["<end_of_utterance>"]
    ids = {tok: i for i, tok in enumerate(SMOLLM2_SPECIALS)}
    for tok in extra:
        ids[tok] = BASE_VOCAB + len(added) - len(SMOLLM2_SPECIALS)
        added.append(bpe.added_token(ids[tok], tok))
    assert BASE_VOCAB + len(extra) == VOCAB_SIZE and ids["<end_of_utterance>"] == VOCAB_SIZE - 1
    pre = {"type": "Sequence", "pretokenizers": [
        {"type": "Digits", "individual_digits": True},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    ]}
    post = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}
    dump_json(folder, "tokenizer.json", bpe.tokenizer_json(vocab, merges, added, pre, post))
    specials = ["<fake_token_around_image>", "<image>", "<end_of_utterance>"]
    dump_json(folder, "tokenizer_config.json", {
        "add_prefix_space": False,
        "added_tokens_decoder": {str(a["id"]): {k: a[k] for k in ("content", "lstrip", "normalized", "rstrip",
                                                                   "single_word", "special")} for a in added},
        "additional_special_tokens": specials,
        "bos_token": "<|im_start|>",
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<end_of_utterance>",
        "legacy": False,
        "model_max_length": 8192,
        "pad_token": "<|im_end|>",
        "processor_class": "Idefics3Processor",
        "tokenizer_class": "GPT2Tokenizer",
        "truncation_side": "left",
        "unk_token": "<|endoftext|>",
    })
    tok = lambda s: {"content": s, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False}
    dump_json(folder, "special_tokens_map.json", {
        "additional_special_tokens": specials,
        "bos_token": tok("<|im_start|>"),
        "eos_token": tok("<end_of_utterance>"),
        "pad_token": tok("<|im_end|>"),
        "unk_token": tok("<|endoftext|>"),
    })
    return ids


def config_files(folder, cfg, ids):
    hd = cfg["hidden"] // cfg["heads"]
    v = VISION
    dump_json(folder, "config.json", {
        "architectures": ["Idefics3ForConditionalGeneration"],
        "image_token_id": ids["<image>"],
        "model_type": "idefics3",
        "pad_token_id": ids["<|im_end|>"],
        "scale_factor": SCALE_FACTOR,
        "text_config": {
            "_name_or_path": "tiny-random-smollm2",
            "architectures": ["VLlama3ForCausalLM"],
            "bos_token_id": ids["<|im_start|>"],
            "eos_token_id": ids["<end_of_utterance>"],
            "head_dim": hd,
            "hidden_act": "silu",
            "hidden_size": cfg["hidden"],
            "intermediate_size": cfg["intermediate"],
            "max_position_embeddings": 8192,
            "model_type": "llama",
            "num_attention_heads": cfg["heads"],
            "num_hidden_layers": cfg["layers"],
            "num_key_value_heads": cfg["kv_heads"],
            "pad_token_id": ids["<|im_end|>"],
            "rms_norm_eps": 1e-05,
            "rope_scaling": None,
            "rope_theta": ROPE_THETA,
            "tie_word_embeddings": False,
            "torch_dtype": "float32",
            "use_cache": True,
            "vocab_size": VOCAB_SIZE,
        },
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "transformers_version": "4.46.0",
        "use_cache": True,
        "vision_config": {
            "hidden_act": "gelu_pytorch_tanh",
            "hidden_size": v["hidden"],
            "image_size": v["image_size"],
            "intermediate_size": v["intermediate"],
            "layer_norm_eps": 1e-06,
            "model_type": "idefics3",
            "num_attention_heads": v["heads"],
            "num_channels": 3,
            "num_hidden_layers": v["layers"],
            "patch_size": v["patch_size"],
        },
        "vocab_size": VOCAB_SIZE,
    })
    # Real: bos_token_id 0 (<|endoftext|>) and eos_token_id 49279 (<end_of_utterance>) alone, as issue #20
    # quotes the repos' generation_config.json; the ids' roles are kept, the stand-in's ids are smaller.
    dump_json(folder, "generation_config.json", {
        "_from_model_config": True,
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<end_of_utterance>"],
        "pad_token_id": ids["<|im_end|>"],
        "transformers_version": "4.46.0",
    })
    # The two longest edges and splitting on are the real ones (cited at LONGEST_EDGE); resample, mean/std and
    # the do_* flags are Idefics3's, as the earlier stand-in had them, not re-read from the repos here.
    dump_json(folder, "preprocessor_config.json", {
        "do_convert_rgb": True,
        "do_image_splitting": True,
        "do_normalize": True,
        "do_pad": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_processor_type": "Idefics3ImageProcessor",
        "image_std": [0.5, 0.5, 0.5],
        "max_image_size": {"longest_edge": v["image_size"]},
        "processor_class": "Idefics3Processor",
        "resample": 1,
        "rescale_factor": 0.00392156862745098,
        "size": {"longest_edge": LONGEST_EDGE},
    })
    dump_json(folder, "processor_config.json", {"image_seq_len": image_seq_len(), "processor_class": "Idefics3Processor"})
    dump_json(folder, "chat_template.json", {"chat_template": CHAT_TEMPLATE})
