"""Tiny Florence-2 (onnx-community/Florence-2-base-ft).

The four graphs transformers.js' Florence2ForConditionalGeneration loads, with
the real names: vision_encoder (pixel_values -> image_features, a small
DaViT-like conv + attention stack on the real 768x768 input: 24x24 tokens plus
the spatially pooled one, the real 577, projected and normalised as Florence-2
does), embed_tokens, encoder_model (BART encoder on [image features; prompt])
and decoder_model_merged (BART decoder with cross-attention and an
encoder/decoder cache, an If on use_cache_branch: florence2_bart.py).

Random weights alone would print gibberish with no boxes. So the decoder also
adds logits from a fixed "chain" map of its input embedding: after `<s>` it
says `cat<loc_120><loc_85><loc_610><loc_930>dog<loc_40><loc_500><loc_300><loc_980>`
then `</s>`, whatever the task, which makes `<OD>` post-processing produce two
boxes. The map is solved so that chain tokens get +CHAIN_LOGIT; other
tokens keep the random model's logits.
"""

import os

import numpy as np
import torch
from torch import nn

from . import bpe
from .files import dump_json
from .florence2_bart import D_MODEL, DEC_LAYERS, ENC_LAYERS, FFN, HEADS, MAX_POS, Decoder, Encoder, export_decoder
from .onnx_tools import export, save_variants

REPO = "onnx-community/Florence-2-base-ft"
SEED = 2
# Real: pixel_values [1, 3, 768, 768] -> image features [1, 577, 768] for Florence-2 base (feature_base.onnx in
# https://deepwiki.com/axinc-ai/ailia-models/7.2-florence-2-vision-language-model); 577 = 24 x 24 + the pooled token,
# DaViT's stems shrinking 768 by 4 x 2 x 2 x 2. The channel widths are the stand-in's.
IMAGE = 768
VISION_DIMS = (8, 16, 32, 64)
BASE_VOCAB = 512  # <s> <pad> </s> <unk>, 256 bytes, merges, <mask>
TASK_TOKENS = ["<od>", "</od>", "<ocr>", "</ocr>"] + [f"<loc_{i}>" for i in range(1000)] + [
    "<cap>", "</cap>", "<ncap>", "</ncap>", "<dcap>", "</dcap>", "<grounding>", "</grounding>", "<seg>", "</seg>",
    "<sep>", "<region_cap>", "</region_cap>", "<region_to_desciption>", "</region_to_desciption>", "<proposal>",
    "</proposal>", "<poly>", "</poly>", "<and>"]
VOCAB_SIZE = BASE_VOCAB + len(TASK_TOKENS)  # 1536 (the real one: 50265 + 1024 = 51289)
CHAIN_LOGIT = 25.0
BOXES = [("cat", (120, 85, 610, 930)), ("dog", (40, 500, 300, 980))]

# preprocessor_config.json of the real repo: the task prompts and how answers are parsed.
TASKS_POST = {
    "<OCR>": "pure_text", "<OCR_WITH_REGION>": "ocr", "<CAPTION>": "pure_text", "<DETAILED_CAPTION>": "pure_text",
    "<MORE_DETAILED_CAPTION>": "pure_text", "<OD>": "description_with_bboxes",
    "<DENSE_REGION_CAPTION>": "description_with_bboxes", "<CAPTION_TO_PHRASE_GROUNDING>": "phrase_grounding",
    "<REFERRING_EXPRESSION_SEGMENTATION>": "polygons", "<REGION_TO_SEGMENTATION>": "polygons",
    "<OPEN_VOCABULARY_DETECTION>": "description_with_bboxes_or_polygons", "<REGION_TO_CATEGORY>": "pure_text",
    "<REGION_TO_DESCRIPTION>": "pure_text", "<REGION_TO_OCR>": "pure_text", "<REGION_PROPOSAL>": "bboxes",
}
TASKS_NO_INPUT = {
    "<OCR>": "What is the text in the image?",
    "<OCR_WITH_REGION>": "What is the text in the image, with regions?",
    "<CAPTION>": "What does the image describe?",
    "<DETAILED_CAPTION>": "Describe in detail what is shown in the image.",
    "<MORE_DETAILED_CAPTION>": "Describe with a paragraph what is shown in the image.",
    "<OD>": "Locate the objects with category name in the image.",
    "<DENSE_REGION_CAPTION>": "Locate the objects in the image, with their descriptions.",
    "<REGION_PROPOSAL>": "Locate the region proposals in the image.",
}
TASKS_WITH_INPUT = {
    "<CAPTION_TO_PHRASE_GROUNDING>": "Locate the phrases in the caption: {input}",
    "<REFERRING_EXPRESSION_SEGMENTATION>": "Locate {input} in the image with mask",
    "<REGION_TO_SEGMENTATION>": "What is the polygon mask of region {input}",
    "<OPEN_VOCABULARY_DETECTION>": "Locate {input} in the image.",
    "<REGION_TO_CATEGORY>": "What is the region {input}?",
    "<REGION_TO_DESCRIPTION>": "What does the region {input} describe?",
    "<REGION_TO_OCR>": "What text is in the region {input}?",
}


def image_tokens():
    side = IMAGE // 32
    return side * side + 1


# --------------------------------------------------------------------------- vision


class VisionEncoder(nn.Module):
    """pixel_values [B, 3, 768, 768] -> image_features [B, 577, D_MODEL]."""

    def __init__(self):
        super().__init__()
        dims = (3,) + VISION_DIMS
        # DaViT's four stems: 7x7 stride 4, then 3x3 stride 2 three times.
        self.stems = nn.ModuleList(nn.Conv2d(dims[i], dims[i + 1], 7 if i == 0 else 3, stride=4 if i == 0 else 2,
                                             padding=3 if i == 0 else 1) for i in range(4))
        self.norms = nn.ModuleList(nn.LayerNorm(d) for d in VISION_DIMS)
        c = VISION_DIMS[-1]
        self.qkv, self.proj = nn.Linear(c, 3 * c), nn.Linear(c, c)
        self.mlp = nn.Sequential(nn.Linear(c, 2 * c), nn.GELU(), nn.Linear(2 * c, c))
        self.norm_mlp = nn.LayerNorm(c)
        side = IMAGE // 32
        self.row_embed = nn.Parameter(torch.randn(side, c) * 0.02)
        self.col_embed = nn.Parameter(torch.randn(side, c) * 0.02)
        self.image_projection = nn.Parameter(torch.randn(c, D_MODEL) * 0.05)
        self.image_proj_norm = nn.LayerNorm(D_MODEL)

    def forward(self, pixel_values):
        x = pixel_values
        for stem, norm in zip(self.stems, self.norms):
            x = norm(stem(x).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        b, c, h, w = x.shape
        x = x.flatten(2).transpose(1, 2)  # [B, h*w, C]
        heads = 4
        split = lambda z: z.reshape(b, h * w, heads, c // heads).transpose(1, 2)
        q, k, v = (split(z) for z in self.qkv(x).chunk(3, -1))
        att = ((q @ k.transpose(-1, -2)) * ((c // heads) ** -0.5)).softmax(-1) @ v
        x = x + self.proj(att.transpose(1, 2).reshape(b, h * w, c))
        x = x + self.mlp(self.norm_mlp(x))
        pos = (self.row_embed[:, None, :] + self.col_embed[None, :, :]).reshape(1, -1, c)
        x = x + pos
        x = torch.cat([x.mean(dim=1, keepdim=True), x], dim=1)  # spatial_avg_pool, temporal_avg_pool
        return self.image_proj_norm(x @ self.image_projection)


class Embed(nn.Module):
    def __init__(self):
        super().__init__()
        self.shared = nn.Embedding(VOCAB_SIZE, D_MODEL)

    def forward(self, input_ids):
        return self.shared(input_ids)


# --------------------------------------------------------------------------- files


def tokenizer_files(folder):
    """BART byte-level BPE + Florence-2's 1024 added tokens. Returns (vocab, merges, ids)."""
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab, merges = bpe.build_vocab(specials, BASE_VOCAB, ["<mask>"])
    added = [bpe.added_token(i, t) for i, t in enumerate(specials)]
    added.append(bpe.added_token(BASE_VOCAB - 1, "<mask>", lstrip=True))
    ids = {t: i for i, t in enumerate(specials)}
    ids["<mask>"] = BASE_VOCAB - 1
    for i, t in enumerate(TASK_TOKENS):
        ids[t] = BASE_VOCAB + i
        added.append(bpe.added_token(BASE_VOCAB + i, t))
    pre = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    post = {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True,
            "add_prefix_space": False}
    dump_json(folder, "tokenizer.json", bpe.tokenizer_json(vocab, merges, added, pre, post))
    dump_json(folder, "tokenizer_config.json", {
        "add_prefix_space": False,
        "additional_special_tokens": TASK_TOKENS,
        "bos_token": "<s>",
        "clean_up_tokenization_spaces": True,
        "cls_token": "<s>",
        "eos_token": "</s>",
        "errors": "replace",
        "mask_token": "<mask>",
        "model_max_length": 1024,
        "pad_token": "<pad>",
        "processor_class": "Florence2Processor",
        "sep_token": "</s>",
        "tokenizer_class": "BartTokenizer",
        "trim_offsets": True,
        "unk_token": "<unk>",
    })
    dump_json(folder, "special_tokens_map.json", {
        "additional_special_tokens": TASK_TOKENS,
        "bos_token": "<s>", "cls_token": "<s>", "eos_token": "</s>",
        "mask_token": {"content": "<mask>", "lstrip": True, "normalized": True, "rstrip": False, "single_word": False},
        "pad_token": "<pad>", "sep_token": "</s>", "unk_token": "<unk>",
    })
    return vocab, merges, ids


def config_files(folder):
    text = {
        "activation_dropout": 0.1, "activation_function": "gelu", "add_bias_logits": False,
        "add_final_layer_norm": False, "attention_dropout": 0.1, "bos_token_id": 0, "classif_dropout": 0.1,
        "classifier_dropout": 0.0, "d_model": D_MODEL, "decoder_attention_heads": HEADS, "decoder_ffn_dim": FFN,
        "decoder_layerdrop": 0.0, "decoder_layers": DEC_LAYERS, "decoder_start_token_id": 2, "dropout": 0.1,
        "early_stopping": True, "encoder_attention_heads": HEADS, "encoder_ffn_dim": FFN, "encoder_layerdrop": 0.0,
        "encoder_layers": ENC_LAYERS, "eos_token_id": 2, "forced_bos_token_id": 0, "forced_eos_token_id": 2,
        "init_std": 0.02, "is_encoder_decoder": True, "max_position_embeddings": MAX_POS,
        "model_type": "florence2_language", "no_repeat_ngram_size": 3, "normalize_before": False, "num_beams": 3,
        "num_hidden_layers": ENC_LAYERS, "pad_token_id": 1, "scale_embedding": False, "use_cache": True,
        "vocab_size": VOCAB_SIZE,
    }
    dump_json(folder, "config.json", {
        "architectures": ["Florence2ForConditionalGeneration"],
        "bos_token_id": 0,
        "eos_token_id": 2,
        "ignore_index": -100,
        "is_encoder_decoder": True,
        "model_type": "florence2",
        "pad_token_id": 1,
        "projection_dim": D_MODEL,
        "text_config": text,
        "torch_dtype": "float32",
        "transformers_version": "4.41.0",
        "vision_config": {
            "model_type": "davit", "drop_path_rate": 0.1, "patch_size": [7, 3, 3, 3], "patch_stride": [4, 2, 2, 2],
            "patch_padding": [3, 1, 1, 1], "patch_prenorm": [False, True, True, True], "enable_checkpoint": False,
            "dim_embed": list(VISION_DIMS), "num_heads": [1, 1, 2, 4], "num_groups": [1, 1, 2, 4],
            "depths": [0, 0, 0, 1], "window_size": 12,
            "projection_dim": D_MODEL,
            "visual_temporal_embedding": {"type": "COSINE", "max_temporal_embeddings": 100},
            "image_pos_embed": {"type": "learned_abs_2d", "max_pos_embeddings": IMAGE // 32},
            "image_feature_source": ["spatial_avg_pool", "temporal_avg_pool"],
        },
        "vocab_size": VOCAB_SIZE,
    })
    dump_json(folder, "generation_config.json", {
        "bos_token_id": 0, "decoder_start_token_id": 2, "early_stopping": True, "eos_token_id": 2,
        "forced_bos_token_id": 0, "forced_eos_token_id": 2, "no_repeat_ngram_size": 3, "num_beams": 3,
        "pad_token_id": 1, "transformers_version": "4.41.0",
    })
    dump_json(folder, "preprocessor_config.json", {
        "crop_size": {"height": IMAGE, "width": IMAGE},
        "do_center_crop": False,
        "do_convert_rgb": None,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": [0.485, 0.456, 0.406],
        "image_processor_type": "CLIPImageProcessor",
        "image_seq_length": image_tokens(),
        "image_std": [0.229, 0.224, 0.225],
        "processor_class": "Florence2Processor",
        "resample": 3,
        "rescale_factor": 0.00392156862745098,
        "size": {"height": IMAGE, "width": IMAGE},
        "tasks_answer_post_processing_type": TASKS_POST,
        "task_prompts_without_inputs": TASKS_NO_INPUT,
        "task_prompts_with_input": TASKS_WITH_INPUT,
    })


def chain_tokens(vocab, merges, ids):
    seq = [ids["<s>"]]
    for label, box in BOXES:
        seq += bpe.encode_word(vocab, merges, label) + [ids[f"<loc_{v}>"] for v in box]
    seq.append(ids["</s>"])
    if len(set(seq)) != len(seq):
        raise RuntimeError(f"chain tokens repeat: {seq}")
    return seq


def build(folder):
    os.makedirs(folder, exist_ok=True)
    onnx_dir = os.path.join(folder, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    vocab, merges, ids = tokenizer_files(folder)
    config_files(folder)

    torch.manual_seed(SEED)
    vision, embed, encoder, decoder = VisionEncoder(), Embed(), Encoder(), Decoder(VOCAB_SIZE)
    for module in (vision, embed, encoder, decoder):
        for name, p in module.named_parameters():
            if p.dim() > 1 and "embed" not in name and name not in ("row_embed", "col_embed"):
                nn.init.normal_(p, std=0.05)
    nn.init.normal_(embed.shared.weight, std=0.5)
    # The chain: E[state] @ W = CHAIN_LOGIT at the next state's id (minimum-norm solution).
    chain = chain_tokens(vocab, merges, ids)
    emb = embed.shared.weight.detach().numpy().astype(np.float64)
    states = emb[chain[:-1]]
    target = np.zeros((len(chain) - 1, VOCAB_SIZE))
    target[np.arange(len(chain) - 1), chain[1:]] = CHAIN_LOGIT
    w = np.linalg.pinv(states) @ target  # [D, V]
    with torch.no_grad():
        decoder.chain.weight.copy_(torch.from_numpy(w.T.astype(np.float32)))

    tmp = os.path.join(onnx_dir, "_tmp.onnx")
    counts = {}
    m = export(vision, (torch.rand(1, 3, IMAGE, IMAGE),), tmp, ["pixel_values"], ["image_features"],
               {"pixel_values": {0: "batch_size"}, "image_features": {0: "batch_size"}})
    counts["vision_encoder"] = save_variants(m, onnx_dir, "vision_encoder")

    m = export(embed, (torch.zeros(1, 3, dtype=torch.long),), tmp, ["input_ids"], ["inputs_embeds"],
               {"input_ids": {0: "batch_size", 1: "sequence_length"},
                "inputs_embeds": {0: "batch_size", 1: "sequence_length"}})
    counts["embed_tokens"] = save_variants(m, onnx_dir, "embed_tokens")

    m = export(encoder, (torch.randn(1, 5, D_MODEL), torch.ones(1, 5, dtype=torch.long)), tmp,
               ["inputs_embeds", "attention_mask"], ["last_hidden_state"],
               {"inputs_embeds": {0: "batch_size", 1: "encoder_sequence_length"},
                "attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
                "last_hidden_state": {0: "batch_size", 1: "encoder_sequence_length"}})
    counts["encoder_model"] = save_variants(m, onnx_dir, "encoder_model")

    counts["decoder_model_merged"] = export_decoder(decoder, tmp, onnx_dir)
    os.remove(tmp)
    return {"d_model": D_MODEL, "heads": HEADS, "encoder_layers": ENC_LAYERS, "decoder_layers": DEC_LAYERS,
            "ffn": FFN, "vision_dims": VISION_DIMS, "image_size": IMAGE, "image_tokens": image_tokens(),
            "vocab_size": VOCAB_SIZE, "chain": chain, "q4_matmuls": counts}
