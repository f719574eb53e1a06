"""Masked image modelling (MAE's role, He et al. 2021): 75 % of the patches hidden, the encoder
sees only the visible ones, a light decoder reconstructs the hidden patches' pixels (each patch
normalised by its own mean and variance, MAE's norm_pix_loss)."""

import torch
from torch import nn

from ..model import Block
from ..pixels import to_pixels
from .masking import blank_pixels, patchify, random_mask


class MaskedImageObjective(nn.Module):
    def __init__(self, cfg, ratio=0.75, width=64, layers=2, heads=4):
        super().__init__()
        self.cfg, self.ratio = cfg, ratio
        n = cfg.grid**2
        self.embed = nn.Linear(cfg.vit_width, width)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos = nn.Parameter(torch.randn(1, n + 1, width) * 0.02)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.out = nn.Linear(width, cfg.patch_size**2 * 3)

    def loss(self, vit, batch, g):
        x = to_pixels(batch["pixels"], self.cfg)
        b, n = x.shape[0], self.cfg.grid**2
        masked, keep = random_mask(b, n, self.ratio, g)
        tokens = vit.embed(blank_pixels(x, masked, self.cfg.patch_size))
        visible = torch.gather(tokens, 1, keep[..., None].expand(-1, -1, tokens.shape[-1]))
        encoded = self.embed(vit.encode(visible))
        full = self.mask_token.expand(b, n, -1).clone()
        full.scatter_(1, keep[..., None].expand(-1, -1, full.shape[-1]), encoded[:, 1:])
        y = torch.cat([encoded[:, :1], full], 1) + self.pos
        for block in self.blocks:
            y = block(y)
        pred = self.out(self.norm(y)[:, 1:])
        target = patchify(x, self.cfg.patch_size)
        target = (target - target.mean(-1, keepdim=True)) / (target.var(-1, keepdim=True) + 1e-6).sqrt()
        per_patch = ((pred - target) ** 2).mean(-1)
        return (per_patch * masked).sum() / masked.sum(), {}
