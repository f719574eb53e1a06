"""Tiny Idefics3 / SmolVLM (HuggingFaceTB/SmolVLM-256M-Instruct, -500M-Instruct).

Same architecture as the real models, narrow and shallow: a SigLIP-style ViT
on the real 512x512 tiles (patch 16 -> 32x32 patches), Idefics3's
pixel-shuffle connector (scale_factor 4 -> the real 64 tokens per tile) with a
bias-free projection to the text width, and a Llama decoder
(RMSNorm, RoPE, grouped-query attention, SiLU-gated MLP). Graph I/O names,
dtypes and the symbolic/static dims of the past key/values follow the
onnx-community exports that transformers.js loads.
"""

import os

import torch
from torch import nn

from .decoder_parts import Embed, RMSNorm, grouped_attention, init_random
from .onnx_tools import export, save_variants
from .smolvlm_repo import ROPE_THETA, SCALE_FACTOR, VISION, VOCAB_SIZE, config_files, image_seq_len, tokenizer_files

# Per repo: text dims differ (the real 256M/500M differ in the text model only).
VARIANTS = {
    "HuggingFaceTB/SmolVLM-256M-Instruct": dict(seed=256, hidden=64, heads=4, kv_heads=2, layers=2, intermediate=128),
    "HuggingFaceTB/SmolVLM-500M-Instruct": dict(seed=500, hidden=96, heads=6, kv_heads=2, layers=2, intermediate=192),
}
MASK = -1e4  # additive mask value that float16 also holds


# --------------------------------------------------------------------------- vision


class VisionLayer(nn.Module):
    def __init__(self, d, heads, inter):
        super().__init__()
        self.heads, self.hd = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-6), nn.LayerNorm(d, eps=1e-6)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(d, inter), nn.Linear(inter, d)

    def forward(self, x, bias):
        b, t, d = x.shape
        h = self.ln1(x)
        split = lambda z: z.reshape(b, t, self.heads, self.hd).transpose(1, 2)
        att = (split(self.q(h)) @ split(self.k(h)).transpose(-1, -2)) * (self.hd ** -0.5) + bias
        x = x + self.o((att.softmax(-1) @ split(self.v(h))).transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class VisionEncoder(nn.Module):
    """pixel_values [B, N, 3, H, W] float, pixel_attention_mask [B, N, H, W] bool
    -> image_features [real tiles, image_seq_len, text hidden]."""

    def __init__(self, text_hidden):
        super().__init__()
        v = VISION
        self.p = v["patch_size"]
        self.grid = v["image_size"] // self.p
        self.patch = nn.Conv2d(3, v["hidden"], self.p, self.p)
        self.pos = nn.Parameter(torch.randn(1, self.grid * self.grid, v["hidden"]) * 0.02)
        self.layers = nn.ModuleList(VisionLayer(v["hidden"], v["heads"], v["intermediate"]) for _ in range(v["layers"]))
        self.post_ln = nn.LayerNorm(v["hidden"], eps=1e-6)
        self.proj = nn.Linear(v["hidden"] * SCALE_FACTOR ** 2, text_hidden, bias=False)

    def pixel_shuffle(self, x):
        """Idefics3Connector.pixel_shuffle: [T, seq, D] -> [T, seq / s^2, D * s^2]."""
        s = SCALE_FACTOR
        t, seq, d = x.shape
        h = w = self.grid
        x = x.view(t, h, w // s, d * s)
        x = x.permute(0, 2, 1, 3).reshape(t, w // s, h // s, d * s * s)
        x = x.permute(0, 2, 1, 3).reshape(t, seq // (s * s), d * s * s)
        return x

    def forward(self, pixel_values, pixel_attention_mask):
        size = VISION["image_size"]
        pv = pixel_values.reshape(-1, 3, size, size)
        mask = pixel_attention_mask.reshape(-1, size, size)
        # Padding tiles (batches with unequal tile counts) have an all-false mask: drop them, as Idefics3 does.
        real = torch.nonzero(mask.reshape(mask.shape[0], -1).any(-1)).squeeze(1)
        pv, mask = pv.index_select(0, real), mask.index_select(0, real)
        # Patch mask: a patch counts if any of its pixels does.
        pm = mask.reshape(-1, self.grid, self.p, self.grid, self.p).to(torch.float32).amax(dim=(2, 4)) > 0
        bias = torch.where(pm.reshape(pm.shape[0], 1, 1, -1), torch.zeros(()), torch.full((), MASK))
        x = self.patch(pv).flatten(2).transpose(1, 2) + self.pos
        for layer in self.layers:
            x = layer(x, bias)
        return self.proj(self.pixel_shuffle(self.post_ln(x)))


# --------------------------------------------------------------------------- text


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, self.heads, self.kv, self.hd = cfg["hidden"], cfg["heads"], cfg["kv_heads"], cfg["hidden"] // cfg["heads"]
        self.q = nn.Linear(d, self.heads * self.hd, bias=False)
        self.k = nn.Linear(d, self.kv * self.hd, bias=False)
        self.v = nn.Linear(d, self.kv * self.hd, bias=False)
        self.o = nn.Linear(self.heads * self.hd, d, bias=False)
        self.gate = nn.Linear(d, cfg["intermediate"], bias=False)
        self.up = nn.Linear(d, cfg["intermediate"], bias=False)
        self.down = nn.Linear(cfg["intermediate"], d, bias=False)
        self.ln1, self.ln2 = RMSNorm(d), RMSNorm(d)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        b, t = x.shape[0], x.shape[1]
        h = self.ln1(x)
        q = self.q(h).reshape(b, t, self.heads, self.hd).transpose(1, 2)
        k = self.k(h).reshape(b, t, self.kv, self.hd).transpose(1, 2)
        v = self.v(h).reshape(b, t, self.kv, self.hd).transpose(1, 2)
        att, k, v = grouped_attention(q, k, v, cos, sin, bias, past_k, past_v)
        x = x + self.o(att)
        h = self.ln2(x)
        return x + self.down(torch.nn.functional.silu(self.gate(h)) * self.up(h)), k, v


class Decoder(nn.Module):
    """(inputs_embeds, attention_mask, position_ids, past k0, v0, k1, v1, ...) -> (logits, present k0, v0, ...)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        hd = cfg["hidden"] // cfg["heads"]
        self.register_buffer("inv_freq", 1.0 / (ROPE_THETA ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd)))
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg["layers"]))
        self.norm = RMSNorm(cfg["hidden"])
        self.lm_head = nn.Linear(cfg["hidden"], VOCAB_SIZE, bias=False)

    def forward(self, inputs_embeds, attention_mask, position_ids, *flat_past):
        t = inputs_embeds.shape[1]
        total = attention_mask.shape[1]
        key_pos = torch.arange(total)
        query_pos = key_pos[total - t:]
        allowed = (key_pos[None, :] <= query_pos[:, None])[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(allowed, torch.zeros(()), torch.full((), MASK))
        freqs = position_ids[..., None].to(torch.float32) * self.inv_freq
        emb = torch.cat([freqs, freqs], dim=-1)[:, None]  # [B, 1, T, hd]
        cos, sin = emb.cos(), emb.sin()
        x, present = inputs_embeds, []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, bias, flat_past[2 * i], flat_past[2 * i + 1])
            present += [k, v]
        return (self.lm_head(self.norm(x)), *present)


def build(folder, repo):
    """Writes one SmolVLM repo folder. Returns a summary dict."""
    cfg = VARIANTS[repo]
    os.makedirs(folder, exist_ok=True)
    onnx_dir = os.path.join(folder, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    ids = tokenizer_files(folder)
    config_files(folder, cfg, ids)

    torch.manual_seed(cfg["seed"])
    vision, embed, decoder = VisionEncoder(cfg["hidden"]), Embed(VOCAB_SIZE, cfg["hidden"]), Decoder(cfg)
    init_random((vision, embed, decoder), table=embed)
    tmp = os.path.join(onnx_dir, "_tmp.onnx")
    size = VISION["image_size"]
    counts = {}

    m = export(vision, (torch.rand(1, 3, 3, size, size), torch.ones(1, 3, size, size, dtype=torch.bool)), tmp,
               ["pixel_values", "pixel_attention_mask"], ["image_features"],
               {"pixel_values": {0: "batch_size", 1: "num_images"},
                "pixel_attention_mask": {0: "batch_size", 1: "num_images"},
                "image_features": {0: "num_real_images"}})
    counts["vision_encoder"] = save_variants(m, onnx_dir, "vision_encoder")

    m = export(embed, (torch.zeros(1, 3, dtype=torch.long),), tmp, ["input_ids"], ["inputs_embeds"],
               {"input_ids": {0: "batch_size", 1: "sequence_length"},
                "inputs_embeds": {0: "batch_size", 1: "sequence_length"}})
    counts["embed_tokens"] = save_variants(m, onnx_dir, "embed_tokens")

    past, seq, hd = 3, 2, cfg["hidden"] // cfg["heads"]
    names_in = ["inputs_embeds", "attention_mask", "position_ids"]
    names_out = ["logits"]
    axes = {"inputs_embeds": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    args = [torch.randn(1, seq, cfg["hidden"]), torch.ones(1, past + seq, dtype=torch.long),
            torch.arange(past, past + seq)[None]]
    for i in range(cfg["layers"]):
        for part in ("key", "value"):
            names_in.append(f"past_key_values.{i}.{part}")
            names_out.append(f"present.{i}.{part}")
            axes[names_in[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            axes[names_out[-1]] = {0: "batch_size", 2: "total_sequence_length"}
            args.append(torch.randn(1, cfg["kv_heads"], past, hd))
    m = export(decoder, tuple(args), tmp, names_in, names_out, axes)
    counts["decoder_model_merged"] = save_variants(m, onnx_dir, "decoder_model_merged")
    os.remove(tmp)
    return {"text": cfg, "vision": VISION, "scale_factor": SCALE_FACTOR, "image_seq_len": image_seq_len(),
            "vocab_size": VOCAB_SIZE, "q4_matmuls": counts}
