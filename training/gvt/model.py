"""GVT in miniature: ViT visual tokenizer -> perceiver resampler -> linear
projection -> causal decoder-only LM. Attention is written by hand (no
scaled_dot_product_attention) so every graph exports at opset 17 on torch 1.13.
"""

import math
import os
from dataclasses import dataclass, asdict

import torch
from torch import nn

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass
class GVTConfig:
    image_size: int = 96
    patch_size: int = 8
    stem: str = "patch"  # "patch": one linear patch embedding; "conv": stride-2 3x3 convolutions down to the patch grid
    vit_width: int = 96
    vit_layers: int = 3
    vit_heads: int = 4
    resampler_layers: int = 2
    resampler_heads: int = 4
    num_latents: int = 32
    lm_width: int = 128
    lm_layers: int = 2
    lm_heads: int = 4
    lm_mlp_ratio: int = 4
    vocab_size: int = 478
    max_positions: int = 256
    mean: tuple = CLIP_MEAN
    std: tuple = CLIP_STD

    @property
    def head_dim(self):
        return self.lm_width // self.lm_heads

    @property
    def grid(self):
        return self.image_size // self.patch_size

    def to_dict(self):
        return asdict(self)


def attention(q, k, v, heads, head_dim):
    """q [B,Tq,C], k/v [B,Tk,C] -> [B,Tq,C]. head_dim comes from the config, not
    from a traced shape, so the export keeps the scale a plain constant."""
    b, tq = q.shape[0], q.shape[1]
    split = lambda x: x.reshape(b, x.shape[1], heads, head_dim).transpose(1, 2)
    scores = split(q) @ split(k).transpose(-1, -2) * (1.0 / math.sqrt(head_dim))
    out = scores.softmax(-1) @ split(v)
    return out.transpose(1, 2).reshape(b, tq, heads * head_dim)


def mlp(width, ratio):
    return nn.Sequential(nn.Linear(width, width * ratio), nn.GELU(), nn.Linear(width * ratio, width))


class Block(nn.Module):
    """Pre-LN transformer block (self-attention, no mask) for the ViT."""

    def __init__(self, width, heads, ratio=4):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.mlp = mlp(width, ratio)

    def forward(self, x):
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        x = x + self.proj(attention(q, k, v, self.heads, self.head_dim))
        return x + self.mlp(self.ln2(x))


def conv_stem(width, patch):
    """Early convolutions (Xiao et al., 2021) in place of the linear patch embedding:
    with an 8x8 linear embedding the ViT labelled only 16% of object centres with the
    right shape after 1200 steps; stacked 3x3 convolutions with batch norm see edges and
    corners first (loss at step 200: 4.5 against 5.9 without batch norm)."""
    layers, c_in, c = [], 3, min(width, 32)
    while patch > 1:
        layers += [nn.Conv2d(c_in, c, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c), nn.GELU()]
        c_in, c, patch = c, min(width, c * 2), patch // 2
    return nn.Sequential(*layers, nn.Conv2d(c_in, width, 1))


class ViT(nn.Module):
    def __init__(self, cfg: GVTConfig):
        super().__init__()
        w = cfg.vit_width
        self.patch = conv_stem(w, cfg.patch_size) if cfg.stem == "conv" else nn.Conv2d(3, w, cfg.patch_size, stride=cfg.patch_size)
        self.cls = nn.Parameter(torch.zeros(1, 1, w))
        self.pos = nn.Parameter(torch.randn(1, cfg.grid**2 + 1, w) * 0.02)
        self.blocks = nn.ModuleList(Block(w, cfg.vit_heads) for _ in range(cfg.vit_layers))
        self.norm = nn.LayerNorm(w)  # the paper's new LayerNorm after the last block

    def embed(self, pixels):
        """Patch tokens with their positions [B, grid², w]: what masked pre-training drops or replaces."""
        return self.patch(pixels).flatten(2).transpose(1, 2) + self.pos[:, 1:]

    def encode(self, patches):
        """Patch tokens (all, or the kept ones with their positions) -> all tokens, CLS first."""
        x = torch.cat([(self.cls + self.pos[:, :1]).expand(patches.shape[0], -1, -1), patches], dim=1)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)

    def forward(self, pixels):
        return self.encode(self.embed(pixels))  # all tokens, CLS first, as GVT keeps all 257


def fit_positions(state, grid):
    """A ViT state trained at another input size, its patch positions resized (bicubic) to grid × grid. The conv
    stem and the blocks do not depend on the size, so a larger input starts from a smaller one's tokenizer."""
    pos = state["pos"]
    old = math.isqrt(pos.shape[1] - 1)
    if old == grid:
        return state
    cells = pos[:, 1:].reshape(1, old, old, -1).permute(0, 3, 1, 2)
    cells = nn.functional.interpolate(cells, size=(grid, grid), mode="bicubic", align_corners=False)
    return {**state, "pos": torch.cat([pos[:, :1], cells.permute(0, 2, 3, 1).reshape(1, grid * grid, -1)], dim=1)}


def pooling_matrix(grid, count):
    """[count, grid²] averaging weights: the patch grid cut into a rows×cols grid of
    cells (adaptive-pool bins), one cell per latent."""
    rows = int(math.sqrt(count))
    while count % rows:
        rows -= 1
    cols = count // rows
    m = torch.zeros(count, grid * grid)
    for r in range(rows):
        r0, r1 = (r * grid) // rows, -(-((r + 1) * grid) // rows)
        for c in range(cols):
            c0, c1 = (c * grid) // cols, -(-((c + 1) * grid) // cols)
            cell = [y * grid + x for y in range(r0, r1) for x in range(c0, c1)]
            m[r * cols + c, cell] = 1.0 / len(cell)
    return m


class ResamplerLayer(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.ln_media, self.ln_latents = nn.LayerNorm(width), nn.LayerNorm(width)
        self.q, self.kv, self.out = nn.Linear(width, width), nn.Linear(width, 2 * width), nn.Linear(width, width)
        self.ff = nn.Sequential(nn.LayerNorm(width), *mlp(width, 4))

    def forward(self, media, latents):
        lat = self.ln_latents(latents)
        k, v = self.kv(torch.cat([self.ln_media(media), lat], dim=1)).chunk(2, dim=-1)  # keys: [patches; latents]
        latents = latents + self.out(attention(self.q(lat), k, v, self.heads, self.head_dim))
        return latents + self.ff(latents)


class PerceiverResampler(nn.Module):
    def __init__(self, cfg: GVTConfig):
        super().__init__()
        w = cfg.vit_width
        self.latents = nn.Parameter(torch.randn(cfg.num_latents, w) * 0.02)
        # Latents start from pooled patch features (one spatial cell each), not from
        # the random queries alone: with random queries all 32 outputs came out
        # ~99.5% identical, since every query attended the same average.
        self.register_buffer("pool", pooling_matrix(cfg.grid, cfg.num_latents))
        self.layers = nn.ModuleList(ResamplerLayer(w, cfg.resampler_heads) for _ in range(cfg.resampler_layers))
        self.norm = nn.LayerNorm(w)

    def forward(self, tokens):
        patches = tokens[:, 1:]  # pooling ignores CLS; attention sees every token
        x = self.latents + self.pool @ patches
        for layer in self.layers:
            x = layer(tokens, x)
        return self.norm(x)


class SceneCheck(nn.Module):
    """ViT tokens -> the probability that the image is a Shapes World scene, from the CLS token
    and the mean and max over the patch tokens (the max catches one patch unlike any scene's)."""

    def __init__(self, width, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(3 * width), nn.Linear(3 * width, hidden), nn.GELU(), nn.Linear(hidden, 1))

    def logit(self, tokens):
        patches = tokens[:, 1:]
        return self.net(torch.cat([tokens[:, 0], patches.mean(1), patches.max(1).values], -1))[:, 0]

    def forward(self, tokens):
        return torch.sigmoid(self.logit(tokens))


class VisionEncoder(nn.Module):
    """pixel_values [B,3,S,S] -> image_features [B, num_latents, lm_width] (forward), and with
    the scene check's score [B] (both): the vision_encoder.onnx graph."""

    def __init__(self, cfg: GVTConfig):
        super().__init__()
        self.vit = ViT(cfg)
        self.resampler = PerceiverResampler(cfg)
        self.proj = nn.Linear(cfg.vit_width, cfg.lm_width)
        self.scene = SceneCheck(cfg.vit_width)

    def forward(self, pixel_values):
        return self.proj(self.resampler(self.vit(pixel_values)))

    def both(self, pixel_values):
        tokens = self.vit(pixel_values)
        return self.proj(self.resampler(tokens)), self.scene(tokens)


class DecoderLayer(nn.Module):
    def __init__(self, cfg: GVTConfig):
        super().__init__()
        w = cfg.lm_width
        self.heads, self.head_dim = cfg.lm_heads, cfg.head_dim
        self.ln1, self.ln2 = nn.LayerNorm(w), nn.LayerNorm(w)
        self.qkv, self.proj = nn.Linear(w, 3 * w), nn.Linear(w, w)
        self.mlp = mlp(w, cfg.lm_mlp_ratio)

    def forward(self, x, bias, past_k, past_v):
        b, t = x.shape[0], x.shape[1]
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        heads = lambda z: z.reshape(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = torch.cat([past_k, heads(k)], dim=2)  # [B,H,past+T,hd]; past may have length 0
        v = torch.cat([past_v, heads(v)], dim=2)
        scores = heads(q) @ k.transpose(-1, -2) * (1.0 / math.sqrt(self.head_dim)) + bias
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, self.heads * self.head_dim)
        x = x + self.proj(out)
        return x + self.mlp(self.ln2(x)), k, v


class LanguageModel(nn.Module):
    def __init__(self, cfg: GVTConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.lm_width)
        self.pos = nn.Embedding(cfg.max_positions, cfg.lm_width)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.lm_layers))
        self.norm = nn.LayerNorm(cfg.lm_width)
        self.head = nn.Linear(cfg.lm_width, cfg.vocab_size, bias=False)

    def empty_past(self, batch=1):
        shape = (batch, self.cfg.lm_heads, 0, self.cfg.head_dim)
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in self.layers]

    def forward(self, inputs_embeds, attention_mask, position_ids, past):
        """past: per layer (key, value) [B,H,P,hd]. Returns logits and the grown cache."""
        t = inputs_embeds.shape[1]
        total = attention_mask.shape[1]  # past + t
        # Causal by absolute position: query i of this call sits at past + i.
        key_pos = torch.arange(total, device=inputs_embeds.device)
        query_pos = key_pos[total - t:]
        allowed = (key_pos[None, :] <= query_pos[:, None])[None, None] & (attention_mask[:, None, None, :] > 0)
        # -1e9, not -inf: a fully masked (padding) row stays finite instead of NaN.
        bias = torch.where(allowed, torch.zeros((), dtype=inputs_embeds.dtype), torch.full((), -1e9, dtype=inputs_embeds.dtype))
        x = inputs_embeds + self.pos(position_ids)
        present = []
        for layer, (pk, pv) in zip(self.layers, past):
            x, k, v = layer(x, bias, pk, pv)
            present.append((k, v))
        return self.head(self.norm(x)), present


class GVT(nn.Module):
    def __init__(self, cfg: GVTConfig):
        super().__init__()
        self.cfg = cfg
        self.vision = VisionEncoder(cfg)
        self.lm = LanguageModel(cfg)


def load_model(run):
    """The trained GVT of a run folder (RUN/model.pt: weights and config), in eval mode."""
    ckpt = torch.load(os.path.join(run, "model.pt"))
    cfg = GVTConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in ckpt["config"].items()})
    model = GVT(cfg)
    model.load_state_dict(ckpt["model"])
    return model.eval()
