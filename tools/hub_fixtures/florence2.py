"""Tiny Florence-2 (onnx-community/Florence-2-base-ft).

The four graphs transformers.js' Florence2ForConditionalGeneration loads, with
the real names: vision_encoder (pixel_values -> image_features, a small
DaViT-like conv + attention stack on 64x64 images: 8x8 tokens plus the
spatially pooled one, projected and normalised as Florence-2 does),
embed_tokens, encoder_model (BART encoder on [image features; prompt]) and
decoder_model_merged (BART decoder with cross-attention and an encoder/decoder
cache; inputs include use_cache_branch as in optimum's merged decoders).

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
from onnx import TensorProto
from torch import nn

from . import bpe
from .files import dump_json
from .onnx_tools import add_unused_input, export, save_variants

REPO = "onnx-community/Florence-2-base-ft"
SEED = 2
D_MODEL = 64
HEADS = 4
ENC_LAYERS = DEC_LAYERS = 2
FFN = 128
MAX_POS = 256
IMAGE = 64
VISION_DIMS = (32, 64)
BASE_VOCAB = 512  # <s> <pad> </s> <unk>, 256 bytes, merges, <mask>
TASK_TOKENS = ["<od>", "</od>", "<ocr>", "</ocr>"] + [f"<loc_{i}>" for i in range(1000)] + [
    "<cap>", "</cap>", "<ncap>", "</ncap>", "<dcap>", "</dcap>", "<grounding>", "</grounding>", "<seg>", "</seg>",
    "<sep>", "<region_cap>", "</region_cap>", "<region_to_desciption>", "</region_to_desciption>", "<proposal>",
    "</proposal>", "<poly>", "</poly>", "<and>"]
VOCAB_SIZE = BASE_VOCAB + len(TASK_TOKENS)  # 1536 (the real one: 50265 + 1024 = 51289)
CHAIN_LOGIT = 25.0
BOXES = [("cat", (120, 85, 610, 930)), ("dog", (40, 500, 300, 980))]
MASK = -1e4

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
    side = IMAGE // 8
    return side * side + 1


# --------------------------------------------------------------------------- vision


class VisionEncoder(nn.Module):
    """pixel_values [B, 3, 64, 64] -> image_features [B, 65, D_MODEL]."""

    def __init__(self):
        super().__init__()
        c1, c2 = VISION_DIMS
        self.conv1 = nn.Conv2d(3, c1, 7, stride=4, padding=3)
        self.norm1 = nn.LayerNorm(c1)
        self.conv2 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)
        self.norm2 = nn.LayerNorm(c2)
        self.qkv, self.proj = nn.Linear(c2, 3 * c2), nn.Linear(c2, c2)
        self.mlp = nn.Sequential(nn.Linear(c2, 2 * c2), nn.GELU(), nn.Linear(2 * c2, c2))
        self.norm3 = nn.LayerNorm(c2)
        side = IMAGE // 8
        self.row_embed = nn.Parameter(torch.randn(side, c2) * 0.02)
        self.col_embed = nn.Parameter(torch.randn(side, c2) * 0.02)
        self.image_projection = nn.Parameter(torch.randn(c2, D_MODEL) * 0.05)
        self.image_proj_norm = nn.LayerNorm(D_MODEL)

    def forward(self, pixel_values):
        x = self.conv1(pixel_values)
        x = self.norm1(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        x = self.conv2(x)
        b, c, h, w = x.shape
        x = x.flatten(2).transpose(1, 2)  # [B, h*w, C]
        heads = 4
        split = lambda z: z.reshape(b, h * w, heads, c // heads).transpose(1, 2)
        q, k, v = (split(z) for z in self.qkv(self.norm2(x)).chunk(3, -1))
        att = ((q @ k.transpose(-1, -2)) * ((c // heads) ** -0.5)).softmax(-1) @ v
        x = x + self.proj(att.transpose(1, 2).reshape(b, h * w, c))
        x = x + self.mlp(self.norm3(x))
        pos = (self.row_embed[:, None, :] + self.col_embed[None, :, :]).reshape(1, -1, c)
        x = x + pos
        x = torch.cat([x.mean(dim=1, keepdim=True), x], dim=1)  # spatial_avg_pool, temporal_avg_pool
        return self.image_proj_norm(x @ self.image_projection)


# --------------------------------------------------------------------------- BART


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = D_MODEL // HEADS
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(D_MODEL, D_MODEL) for _ in range(4))

    def heads(self, x):
        return x.reshape(x.shape[0], x.shape[1], HEADS, self.hd).transpose(1, 2)

    def attend(self, x, k, v, bias):
        q = self.heads(self.q_proj(x)) * (self.hd ** -0.5)
        out = ((q @ k.transpose(-1, -2) + bias).softmax(-1) @ v).transpose(1, 2)
        return self.out_proj(out.reshape(x.shape[0], x.shape[1], D_MODEL))


class EncoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn = Attention()
        self.ln1, self.ln2 = nn.LayerNorm(D_MODEL), nn.LayerNorm(D_MODEL)
        self.fc1, self.fc2 = nn.Linear(D_MODEL, FFN), nn.Linear(FFN, D_MODEL)

    def forward(self, x, bias):
        a = self.self_attn
        x = self.ln1(x + a.attend(x, a.heads(a.k_proj(x)), a.heads(a.v_proj(x)), bias))
        return self.ln2(x + self.fc2(torch.nn.functional.gelu(self.fc1(x))))


class Encoder(nn.Module):
    """(inputs_embeds, attention_mask) -> last_hidden_state."""

    def __init__(self):
        super().__init__()
        self.embed_positions = nn.Embedding(MAX_POS + 2, D_MODEL)
        self.layernorm_embedding = nn.LayerNorm(D_MODEL)
        self.layers = nn.ModuleList(EncoderLayer() for _ in range(ENC_LAYERS))

    def forward(self, inputs_embeds, attention_mask):
        s = inputs_embeds.shape[1]
        x = self.layernorm_embedding(inputs_embeds + self.embed_positions(torch.arange(s) + 2))
        bias = torch.where(attention_mask[:, None, None, :] > 0, torch.zeros(()), torch.full((), MASK))
        for layer in self.layers:
            x = layer(x, bias)
        return x


class DecoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn, self.encoder_attn = Attention(), Attention()
        self.ln1, self.ln2, self.ln3 = (nn.LayerNorm(D_MODEL) for _ in range(3))
        self.fc1, self.fc2 = nn.Linear(D_MODEL, FFN), nn.Linear(FFN, D_MODEL)

    def forward(self, x, self_bias, enc, enc_bias, past_dk, past_dv, past_ek, past_ev):
        a = self.self_attn
        k = torch.cat([past_dk, a.heads(a.k_proj(x))], dim=2)
        v = torch.cat([past_dv, a.heads(a.v_proj(x))], dim=2)
        x = self.ln1(x + a.attend(x, k, v, self_bias))
        c = self.encoder_attn
        s = enc.shape[1]
        # With a cache the past encoder keys/values are used (they equal a fresh projection);
        # without one (length 0) the fresh projection is.
        ek = torch.cat([past_ek, c.heads(c.k_proj(enc))], dim=2)[:, :, :s]
        ev = torch.cat([past_ev, c.heads(c.v_proj(enc))], dim=2)[:, :, :s]
        x = self.ln2(x + c.attend(x, ek, ev, enc_bias))
        return self.ln3(x + self.fc2(torch.nn.functional.gelu(self.fc1(x)))), k, v, ek, ev


class Decoder(nn.Module):
    """(inputs_embeds, encoder_attention_mask, encoder_hidden_states, past 0.decoder.key, 0.decoder.value,
    0.encoder.key, 0.encoder.value, 1....) -> (logits, present in the same order)."""

    def __init__(self):
        super().__init__()
        self.embed_positions = nn.Embedding(MAX_POS + 2, D_MODEL)
        self.layernorm_embedding = nn.LayerNorm(D_MODEL)
        self.layers = nn.ModuleList(DecoderLayer() for _ in range(DEC_LAYERS))
        self.lm_head = nn.Linear(D_MODEL, VOCAB_SIZE, bias=False)
        self.chain = nn.Linear(D_MODEL, VOCAB_SIZE, bias=False)

    def forward(self, inputs_embeds, encoder_attention_mask, encoder_hidden_states, *flat_past):
        t = inputs_embeds.shape[1]
        total = flat_past[0].shape[2] + t
        key_pos = torch.arange(total)
        query_pos = key_pos[total - t:]
        x = self.layernorm_embedding(inputs_embeds + self.embed_positions(query_pos + 2))
        self_bias = torch.where((key_pos[None, :] <= query_pos[:, None])[None, None], torch.zeros(()),
                                torch.full((), MASK))
        enc_bias = torch.where(encoder_attention_mask[:, None, None, :] > 0, torch.zeros(()), torch.full((), MASK))
        present = []
        for i, layer in enumerate(self.layers):
            x, k, v, ek, ev = layer(x, self_bias, encoder_hidden_states, enc_bias, *flat_past[4 * i:4 * i + 4])
            present += [k, v, ek, ev]
        return (self.lm_head(x) + self.chain(inputs_embeds), *present)


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
    c1, c2 = VISION_DIMS
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
            "model_type": "davit", "drop_path_rate": 0.1, "patch_size": [7, 3], "patch_stride": [4, 2],
            "patch_padding": [3, 1], "patch_prenorm": [False, True], "enable_checkpoint": False,
            "dim_embed": [c1, c2], "num_heads": [2, 4], "num_groups": [2, 4], "depths": [0, 1], "window_size": 8,
            "projection_dim": D_MODEL,
            "visual_temporal_embedding": {"type": "COSINE", "max_temporal_embeddings": 100},
            "image_pos_embed": {"type": "learned_abs_2d", "max_pos_embeddings": IMAGE // 8},
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
    vision, embed, encoder, decoder = VisionEncoder(), Embed(), Encoder(), Decoder()
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

    past, t, s, hd = 3, 1, 7, D_MODEL // HEADS
    names_in = ["inputs_embeds", "encoder_attention_mask", "encoder_hidden_states"]
    names_out = ["logits"]
    axes = {"inputs_embeds": {0: "batch_size", 1: "decoder_sequence_length"},
            "encoder_attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
            "encoder_hidden_states": {0: "batch_size", 1: "encoder_sequence_length"},
            "logits": {0: "batch_size", 1: "decoder_sequence_length"}}
    args = [torch.randn(1, t, D_MODEL), torch.ones(1, s, dtype=torch.long), torch.randn(1, s, D_MODEL)]
    for i in range(DEC_LAYERS):
        for part, length, past_axis, out_axis in (
                ("decoder", past, "past_decoder_sequence_length", "past_decoder_sequence_length + 1"),
                ("encoder", s, "encoder_sequence_length_out", "encoder_sequence_length_out")):
            for kv in ("key", "value"):
                names_in.append(f"past_key_values.{i}.{part}.{kv}")
                names_out.append(f"present.{i}.{part}.{kv}")
                axes[names_in[-1]] = {0: "batch_size", 2: past_axis}
                axes[names_out[-1]] = {0: "batch_size", 2: out_axis}
                args.append(torch.randn(1, HEADS, length, hd))
    m = export(decoder, tuple(args), tmp, names_in, names_out, axes)
    add_unused_input(m, "use_cache_branch", TensorProto.BOOL, [1])
    counts["decoder_model_merged"] = save_variants(m, onnx_dir, "decoder_model_merged")
    os.remove(tmp)
    return {"d_model": D_MODEL, "heads": HEADS, "encoder_layers": ENC_LAYERS, "decoder_layers": DEC_LAYERS,
            "ffn": FFN, "vision_dims": VISION_DIMS, "image_size": IMAGE, "image_tokens": image_tokens(),
            "vocab_size": VOCAB_SIZE, "chain": chain, "q4_matmuls": counts}
