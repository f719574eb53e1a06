"""Tiny LFM2.5-VL (LiquidAI/LFM2.5-VL-450M-ONNX): the graphs transformers.js's
Lfm2VlForConditionalGeneration runs, with the real graph boundaries.

- vision_encoder: pixel_values float32 [num_tiles, num_patches, 16*16*3] (the processor's flattened, padded
  patches), pixel_attention_mask int64 [num_tiles, num_patches], spatial_shapes int64 [num_tiles, 2]
  (patch rows and columns of each tile) -> image_features [image tokens, text hidden]: per tile the 2x2
  pixel unshuffle of its real patches (ceil(rows/2) x ceil(cols/2) tokens, zeros past an odd edge), then an
  MLP projector, padding dropped, so the feature count matches the processor's <image> tokens.
  The encoder proper is a patch embedding and one MLP block, not SigLIP2's attention.
- embed_tokens: input_ids -> inputs_embeds (the table, float32; its _fp16 copy has float32 edges too).
- decoder_model_merged: inputs_embeds, attention_mask, past_conv.{i} [batch, hidden, 3] for conv layers,
  past_key_values.{i}.key|value [batch, kv heads, past, head_dim] for attention layers -> logits,
  present_conv.{i}, present.{i}.key|value: LFM2's gated short convolution (in_proj to B, C, x; depthwise
  conv of B*x over the cached 3 steps and the new ones; C * conv; out_proj) and grouped-query attention with
  RoPE, positions counted from the cache length (no position_ids input).

Every graph but embed_tokens.onnx keeps its weights in `NAME.onnx_data` beside it, as in the real repo.
"""

import os

import onnx
import torch
from torch import nn

from .lfm2_vl_repo import CONV_L_CACHE, DOWNSAMPLE, MAX_IMAGE_TOKENS, PATCH, TEXT, VISION, VOCAB_SIZE, config_files, tokenizer_files
from .decoder_parts import Embed, RMSNorm, grouped_attention, init_random
from .onnx_tools import export, finish, to_fp16, to_q4

REPO = "LiquidAI/LFM2.5-VL-450M-ONNX"
MASK = -1e4
ROPE_THETA = 1000000.0


class VisionEncoder(nn.Module):
    def __init__(self, text_hidden):
        super().__init__()
        d, patch_dim = VISION["hidden"], PATCH * PATCH * 3
        self.embed = nn.Linear(patch_dim, d)
        self.ln = nn.LayerNorm(d, eps=1e-6)
        self.fc1, self.fc2 = nn.Linear(d, VISION["intermediate"]), nn.Linear(VISION["intermediate"], d)
        self.proj_ln = nn.LayerNorm(4 * d, eps=1e-5)
        self.proj1, self.proj2 = nn.Linear(4 * d, text_hidden), nn.Linear(text_hidden, text_hidden)

    def forward(self, pixel_values, pixel_attention_mask, spatial_shapes):
        x = self.embed(pixel_values)
        x = x + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln(x)), approximate="tanh"))
        x = x * pixel_attention_mask.unsqueeze(-1).to(x.dtype)
        tiles, patches, d = x.shape
        rows, cols = spatial_shapes[:, 0:1], spatial_shapes[:, 1:2]  # [T, 1]
        out_rows = torch.div(rows + 1, DOWNSAMPLE, rounding_mode="floor")
        out_cols = torch.div(cols + 1, DOWNSAMPLE, rounding_mode="floor")
        k = torch.arange(MAX_IMAGE_TOKENS)[None].expand(tiles, MAX_IMAGE_TOKENS)  # token slots per tile
        i = torch.div(k, out_cols, rounding_mode="floor")
        j = k - i * out_cols
        parts = []
        for di in range(DOWNSAMPLE):
            for dj in range(DOWNSAMPLE):
                r, c = i * DOWNSAMPLE + di, j * DOWNSAMPLE + dj
                inside = (r < rows) & (c < cols)
                index = torch.where(inside, r * cols + c, torch.zeros_like(r)).clamp(max=patches - 1)
                picked = torch.gather(x, 1, index.unsqueeze(-1).expand(tiles, MAX_IMAGE_TOKENS, d))
                parts.append(picked * inside.unsqueeze(-1).to(x.dtype))
        tokens = torch.cat(parts, dim=-1)  # [T, slots, 4d]
        h = self.proj2(torch.nn.functional.gelu(self.proj1(self.proj_ln(tokens))))
        valid = k < out_rows * out_cols
        return h[valid]


class ShortConv(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.in_proj = nn.Linear(d, 3 * d, bias=False)
        self.conv = nn.Parameter(torch.randn(d, CONV_L_CACHE) * 0.3)
        self.out_proj = nn.Linear(d, d, bias=False)

    def forward(self, x, state):
        b_gate, c_gate, v = self.in_proj(x).transpose(1, 2).chunk(3, dim=1)  # [B, d, T] each
        bx = torch.cat([state, b_gate * v], dim=2)  # the 3 cached steps, then the new ones
        t = x.shape[1]
        # Causal depthwise conv, kernel 3: new step s reads bx at 1+s, 2+s and itself (3+s).
        conv = sum(bx[:, :, 1 + w:1 + w + t] * self.conv[None, :, w:w + 1] for w in range(CONV_L_CACHE))
        y = self.out_proj((c_gate * conv).transpose(1, 2))
        return y, bx[:, :, -CONV_L_CACHE:]


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, self.heads, self.kv, self.hd = cfg["hidden"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"]
        self.q = nn.Linear(d, self.heads * self.hd, bias=False)
        self.k = nn.Linear(d, self.kv * self.hd, bias=False)
        self.v = nn.Linear(d, self.kv * self.hd, bias=False)
        self.o = nn.Linear(self.heads * self.hd, d, bias=False)
        self.q_norm, self.k_norm = RMSNorm(self.hd), RMSNorm(self.hd)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        b, t = x.shape[0], x.shape[1]
        q = self.q_norm(self.q(x).reshape(b, t, self.heads, self.hd)).transpose(1, 2)
        k = self.k_norm(self.k(x).reshape(b, t, self.kv, self.hd)).transpose(1, 2)
        v = self.v(x).reshape(b, t, self.kv, self.hd).transpose(1, 2)
        att, k, v = grouped_attention(q, k, v, cos, sin, bias, past_k, past_v)
        return self.o(att), k, v


class Layer(nn.Module):
    def __init__(self, cfg, kind):
        super().__init__()
        d = cfg["hidden"]
        self.kind = kind
        self.mix = ShortConv(d) if kind == "conv" else Attention(cfg)
        self.ln1, self.ln2 = RMSNorm(d), RMSNorm(d)
        self.w1 = nn.Linear(d, cfg["intermediate"], bias=False)
        self.w3 = nn.Linear(d, cfg["intermediate"], bias=False)
        self.w2 = nn.Linear(cfg["intermediate"], d, bias=False)

    def forward(self, x, cos, sin, bias, past):
        if self.kind == "conv":
            h, state = self.mix(self.ln1(x), past[0])
            present = [state]
        else:
            h, k, v = self.mix(self.ln1(x), cos, sin, bias, past[0], past[1])
            present = [k, v]
        x = x + h
        h = self.ln2(x)
        return x + self.w2(torch.nn.functional.silu(self.w1(h)) * self.w3(h)), present


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        hd = cfg["head_dim"]
        self.register_buffer("inv_freq", 1.0 / (ROPE_THETA ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd)))
        self.layers = nn.ModuleList(Layer(cfg, kind) for kind in cfg["layer_types"])
        self.norm = RMSNorm(cfg["hidden"])
        self.lm_head = nn.Linear(cfg["hidden"], VOCAB_SIZE, bias=False)

    def forward(self, inputs_embeds, attention_mask, *flat_past):
        t, total = inputs_embeds.shape[1], attention_mask.shape[1]
        key_pos = torch.arange(total)
        query_pos = key_pos[total - t:]
        allowed = (key_pos[None, :] <= query_pos[:, None])[None, None] & (attention_mask[:, None, None, :] > 0)
        bias = torch.where(allowed, torch.zeros(()), torch.full((), MASK))
        freqs = query_pos[None, :, None].to(torch.float32) * self.inv_freq
        emb = torch.cat([freqs, freqs], dim=-1)[:, None]
        cos, sin = emb.cos(), emb.sin()
        x, present, at = inputs_embeds, [], 0
        for layer in self.layers:
            n = 1 if layer.kind == "conv" else 2
            x, p = layer(x, cos, sin, bias, flat_past[at:at + n])
            present += p
            at += n
        return (self.lm_head(self.norm(x)), *present)


def save_external(model, onnx_dir, name):
    """Writes NAME.onnx + NAME.onnx_data for the three dtypes; the fp32 embed_tokens stays one file, as the real
    one. Returns the q4 MatMul count."""
    q4, count = to_q4(model)
    # The real repo has no embed_tokens_q4 (its q4 set takes embed_tokens_fp16).
    variants = (("", model), ("_fp16", to_fp16(model))) + ((("_q4", q4),) if name != "embed_tokens" else ())
    for suffix, m in variants:
        path = os.path.join(onnx_dir, f"{name}{suffix}.onnx")
        if name == "embed_tokens" and suffix == "":
            finish(m, path)
            continue
        m.producer_name, m.producer_version = "gvt-web hub_fixtures", "1"
        for node in m.graph.node:
            node.doc_string = ""
        onnx.save(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                  location=f"{name}{suffix}.onnx_data", size_threshold=0)
    return count


def build(folder):
    """Writes the repo folder. Returns a summary dict."""
    onnx_dir = os.path.join(folder, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    ids = tokenizer_files(folder)
    config_files(folder, ids)
    cfg = TEXT
    torch.manual_seed(cfg["seed"])
    vision, embed, decoder = VisionEncoder(cfg["hidden"]), Embed(VOCAB_SIZE, cfg["hidden"]), Decoder(cfg)
    init_random((vision, embed, decoder), table=embed)
    tmp = os.path.join(onnx_dir, "_tmp.onnx")
    counts = {}
    patch_dim, slots = PATCH * PATCH * 3, MAX_IMAGE_TOKENS * DOWNSAMPLE ** 2
    shapes = torch.tensor([[32, 32], [17, 27]])  # a full tile and an odd-sized thumbnail
    mask = (torch.arange(slots)[None] < (shapes[:, 0] * shapes[:, 1])[:, None]).long()
    m = export(vision, (torch.rand(2, slots, patch_dim), mask, shapes), tmp,
               ["pixel_values", "pixel_attention_mask", "spatial_shapes"], ["image_features"],
               {"pixel_values": {0: "num_tiles", 1: "num_patches"}, "pixel_attention_mask": {0: "num_tiles", 1: "num_patches"},
                "spatial_shapes": {0: "num_tiles"}, "image_features": {0: "num_image_tokens"}})
    counts["vision_encoder"] = save_external(m, onnx_dir, "vision_encoder")

    m = export(embed, (torch.zeros(1, 3, dtype=torch.long),), tmp, ["input_ids"], ["inputs_embeds"],
               {"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}})
    counts["embed_tokens"] = save_external(m, onnx_dir, "embed_tokens")

    past, seq = 3, 2
    names_in, names_out = ["inputs_embeds", "attention_mask"], ["logits"]
    axes = {"inputs_embeds": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    args = [torch.randn(1, seq, cfg["hidden"]), torch.ones(1, past + seq, dtype=torch.long)]
    for i, kind in enumerate(cfg["layer_types"]):
        if kind == "conv":
            names_in.append(f"past_conv.{i}")
            names_out.append(f"present_conv.{i}")
            axes[names_in[-1]], axes[names_out[-1]] = {0: "batch_size"}, {0: "batch_size"}
            args.append(torch.randn(1, cfg["hidden"], CONV_L_CACHE))
            continue
        for part in ("key", "value"):
            names_in.append(f"past_key_values.{i}.{part}")
            names_out.append(f"present.{i}.{part}")
            axes[names_in[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            axes[names_out[-1]] = {0: "batch_size", 2: "total_sequence_length"}
            args.append(torch.randn(1, cfg["kv_heads"], past, cfg["head_dim"]))
    m = export(decoder, tuple(args), tmp, names_in, names_out, axes)
    counts["decoder_model_merged"] = save_external(m, onnx_dir, "decoder_model_merged")
    os.remove(tmp)
    return {"text": cfg, "vision": VISION, "vocab_size": VOCAB_SIZE, "q4_matmuls": counts}
