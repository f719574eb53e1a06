"""Pieces the decoder stand-ins share (SmolVLM's Llama, LFM2's attention layers)."""

import torch
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def grouped_attention(q, k, v, cos, sin, bias, past_k, past_v):
    """RoPE on q, k [B, heads|kv, T, hd], the cache in front, kv heads repeated to the query heads.
    Returns (attended [B, T, heads * hd], present k, present v)."""
    b, heads, t, hd = q.shape
    kv = k.shape[1]
    q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
    k, v = torch.cat([past_k, k], dim=2), torch.cat([past_v, v], dim=2)
    rep, total = heads // kv, k.shape[2]
    kk = k[:, :, None].expand(b, kv, rep, total, hd).reshape(b, heads, total, hd)
    vv = v[:, :, None].expand(b, kv, rep, total, hd).reshape(b, heads, total, hd)
    att = (q @ kk.transpose(-1, -2)) * (hd ** -0.5) + bias
    return (att.softmax(-1) @ vv).transpose(1, 2).reshape(b, t, heads * hd), k, v


def init_random(modules, table):
    """Normal weights for a stand-in's matrices, in module order (so a seed gives the same files): the token
    table at std 0.5 so its rows stay far apart, every other matrix at 0.05."""
    for module in modules:
        for p in module.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.5 if module is table else 0.05)


class Embed(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, hidden)

    def forward(self, input_ids):
        return self.embed_tokens(input_ids)
