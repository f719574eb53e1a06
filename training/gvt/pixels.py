"""uint8 images -> the normalised pixel tensor the vision graph takes, as src/engine/image.ts."""

import torch


def to_pixels(u8, cfg):
    """uint8 [B,S,S,3] -> normalised float [B,3,S,S]."""
    x = torch.from_numpy(u8).float().permute(0, 3, 1, 2) / 255.0
    mean = torch.tensor(cfg.mean, dtype=torch.float32)[None, :, None, None]
    std = torch.tensor(cfg.std, dtype=torch.float32)[None, :, None, None]
    return (x - mean) / std
