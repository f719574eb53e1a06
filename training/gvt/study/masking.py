"""Random patch masks for masked pre-training (MAE, EVA-style distillation)."""

import torch


def random_mask(batch, patches, ratio, g):
    """-> (masked [B, N] bool, keep [B, N - round(ratio N)] indices of the visible patches, sorted)."""
    hidden = round(ratio * patches)
    order = torch.rand(batch, patches, generator=g).argsort(1)
    keep = order[:, hidden:].sort(1).values
    masked = torch.ones(batch, patches, dtype=torch.bool)
    masked.scatter_(1, keep, False)
    return masked, keep


def blank_pixels(x, masked, patch):
    """Normalised pixels with the masked patches set to 0 (the mean colour), so that the conv stem's
    receptive field cannot carry a hidden patch's pixels into a visible token."""
    b, _, s, _ = x.shape
    grid = s // patch
    m = masked.reshape(b, 1, grid, grid).repeat_interleave(patch, 2).repeat_interleave(patch, 3)
    return x.masked_fill(m, 0.0)


def patchify(x, patch):
    """[B, 3, S, S] -> [B, (S/p)², p·p·3], row-major patches as the ViT reads them."""
    b, c, s, _ = x.shape
    g = s // patch
    return x.reshape(b, c, g, patch, g, patch).permute(0, 2, 4, 3, 5, 1).reshape(b, g * g, patch * patch * c)
