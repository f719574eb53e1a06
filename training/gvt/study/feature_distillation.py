"""Patch-level feature distillation (GVT, and EVA's masked variant): the student ViT predicts, token
by token, the final features of a frozen teacher tokenizer (here the contrastive one, in EVA-CLIP's
place) through a linear head, trained on negative cosine similarity. GVT distils every token of the
whole image; with a mask ratio, 40 % of the patch embeddings are replaced by a learned mask token
and only those are distilled (EVA's masked image modelling), which tests finding 4."""

import torch
from torch import nn
import torch.nn.functional as F

from ..pixels import to_pixels
from .masking import blank_pixels, random_mask


class FeatureDistillationObjective(nn.Module):
    def __init__(self, cfg, teacher, mask_ratio=0.0):
        super().__init__()
        self.cfg, self.mask_ratio = cfg, mask_ratio
        self.teacher = teacher.eval()
        for p in self.teacher.parameters():
            p.requires_grad_(False)
        self.head = nn.Linear(cfg.vit_width, cfg.vit_width)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, cfg.vit_width)) if mask_ratio else None

    def train(self, mode=True):
        super().train(mode)
        self.teacher.eval()  # its batch norm keeps its own statistics
        return self

    def loss(self, vit, batch, g):
        x = to_pixels(batch["pixels"], self.cfg)
        with torch.no_grad():
            target = self.teacher(x)
        if not self.mask_ratio:
            pred = self.head(vit(x))
            return -F.cosine_similarity(pred, target, dim=-1).mean(), {}
        masked, _ = random_mask(x.shape[0], self.cfg.grid**2, self.mask_ratio, g)
        tokens = vit.embed(blank_pixels(x, masked, self.cfg.patch_size))
        tokens = torch.where(masked[..., None], self.mask_token + vit.pos[:, 1:], tokens)
        pred = self.head(vit.encode(tokens))[:, 1:]
        cos = F.cosine_similarity(pred, target[:, 1:], dim=-1)
        return -(cos * masked).sum() / masked.sum(), {}
