"""Image-text contrastive pre-training (CLIP's role, Radford et al. 2021): the ViT's CLS token and a
small text encoder's pooled alt-text (alt_text.py) meet in a shared space, trained with InfoNCE
both ways over the batch at a learned temperature."""

import math

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from ..model import Block
from ..pixels import to_pixels
from .alt_text import alt_text

MAX_TEXT = 32


class TextEncoder(nn.Module):
    def __init__(self, vocab, width, out, layers=2, heads=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.pos = nn.Parameter(torch.randn(1, MAX_TEXT, width) * 0.02)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.proj = nn.Linear(width, out)

    def forward(self, ids, valid):
        x = self.embed(ids) + self.pos[:, :ids.shape[1]]
        for block in self.blocks:
            x = block(x)
        x = self.norm(x)
        pooled = (x * valid[..., None]).sum(1) / valid.sum(1, keepdim=True)
        return self.proj(pooled)


class ContrastiveObjective(nn.Module):
    def __init__(self, cfg, tok, seed, dim=64):
        super().__init__()
        self.cfg, self.tok = cfg, tok
        self.rng = np.random.default_rng(seed)
        self.image_proj = nn.Linear(cfg.vit_width, dim)
        self.text = TextEncoder(len(tok), cfg.vit_width, dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def texts(self, objects):
        rows = [self.tok.encode(alt_text(objs, self.rng))[:MAX_TEXT] for objs in objects]
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.tok.pad_id, dtype=torch.long)
        valid = torch.zeros(len(rows), width)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = torch.tensor(r)
            valid[i, :len(r)] = 1.0
        return ids, valid

    def loss(self, vit, batch, g):
        image = F.normalize(self.image_proj(vit(to_pixels(batch["pixels"], self.cfg))[:, 0]), dim=-1)
        text = F.normalize(self.text(*self.texts(batch["objects"])), dim=-1)
        logits = image @ text.T * self.logit_scale.clamp(max=math.log(100)).exp()
        labels = torch.arange(len(logits))
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2, {}
