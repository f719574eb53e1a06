"""Self-distillation without labels (DINO's role, Caron et al. 2021): a student and its EMA teacher
see two augmented views of each image; the student's CLS output over K prototypes is trained to
match the teacher's centred, sharpened one for the other view. DINO's augmentations (crop, flip,
colour jitter, greyscale); two global views and no local crops, at this size."""

import copy
import math

import torch
from torch import nn
import torch.nn.functional as F

from ..model import CLIP_MEAN, CLIP_STD


class DinoHead(nn.Module):
    def __init__(self, width, prototypes=512, hidden=256, bottleneck=64):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(),
                                 nn.Linear(hidden, bottleneck))
        self.last = nn.utils.weight_norm(nn.Linear(bottleneck, prototypes, bias=False))
        self.last.weight_g.data.fill_(1.0)
        self.last.weight_g.requires_grad = False

    def forward(self, cls):
        return self.last(F.normalize(self.mlp(cls), dim=-1))


def _grey(x):
    return (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])[:, None]


def _hue_shift(x, turn):
    """Rotates hue by `turn` (fractions of the circle, per image) in YIQ space."""
    to_yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    yiq = torch.einsum("ij,bjhw->bihw", to_yiq, x)
    a = 2 * math.pi * turn
    c, s = a.cos()[:, None, None], a.sin()[:, None, None]
    i, q = yiq[:, 1] * c - yiq[:, 2] * s, yiq[:, 1] * s + yiq[:, 2] * c
    return torch.einsum("ij,bjhw->bihw", torch.linalg.inv(to_yiq), torch.stack([yiq[:, 0], i, q], 1))


def augment(u8, size, g):
    """uint8 [B,S,S,3] -> normalised views [B,3,size,size]: random resized crop (scale 0.4-1, aspect
    3/4-4/3), horizontal flip, colour jitter (p 0.8: brightness, contrast, saturation 0.4, hue 0.1),
    greyscale (p 0.2), as DINO's global views."""
    x = torch.from_numpy(u8).float().permute(0, 3, 1, 2) / 255.0
    b = x.shape[0]
    r = lambda lo, hi: lo + (hi - lo) * torch.rand(b, generator=g)
    area, ratio = r(0.4, 1.0), torch.exp(r(math.log(3 / 4), math.log(4 / 3)))
    w, h = (area * ratio).sqrt().clamp(max=1.0), (area / ratio).sqrt().clamp(max=1.0)
    cx, cy = r(-1, 1) * (1 - w), r(-1, 1) * (1 - h)
    flip = torch.where(torch.rand(b, generator=g) < 0.5, -1.0, 1.0)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = w * flip, cx, h, cy
    x = F.grid_sample(x, F.affine_grid(theta, (b, 3, size, size), align_corners=False), mode="bilinear",
                      padding_mode="border", align_corners=False)
    jitter = (torch.rand(b, generator=g) < 0.8)[:, None, None, None]
    bright, contrast, sat, hue = r(0.6, 1.4), r(0.6, 1.4), r(0.6, 1.4), r(-0.1, 0.1)
    y = x * bright[:, None, None, None]
    y = (y - y.mean((1, 2, 3), keepdim=True)) * contrast[:, None, None, None] + y.mean((1, 2, 3), keepdim=True)
    y = (y - _grey(y)) * sat[:, None, None, None] + _grey(y)
    y = _hue_shift(y.clamp(0, 1), hue).clamp(0, 1)
    x = torch.where(jitter, y, x)
    x = torch.where((torch.rand(b, generator=g) < 0.2)[:, None, None, None], _grey(x).expand(-1, 3, -1, -1), x)
    mean, std = torch.tensor(CLIP_MEAN)[None, :, None, None], torch.tensor(CLIP_STD)[None, :, None, None]
    return (x - mean) / std


class SelfDistillationObjective(nn.Module):
    def __init__(self, cfg, vit, student_temp=0.1, teacher_temp=0.04, center_momentum=0.9, momentum=0.996):
        super().__init__()
        self.cfg, self.student_temp, self.teacher_temp = cfg, student_temp, teacher_temp
        self.center_momentum, self.momentum = center_momentum, momentum
        self.head = DinoHead(cfg.vit_width)
        # weight_norm's derived weight is no leaf, so the head is copied through its state.
        self.teacher_vit, self.teacher_head = copy.deepcopy(vit), DinoHead(cfg.vit_width)
        self.teacher_head.load_state_dict(self.head.state_dict())
        for p in list(self.teacher_vit.parameters()) + list(self.teacher_head.parameters()):
            p.requires_grad_(False)
        self.register_buffer("center", torch.zeros(1, self.head.last.weight_v.shape[0]))

    def loss(self, vit, batch, g):
        views = [augment(batch["pixels"], self.cfg.image_size, g) for _ in range(2)]
        student = [self.head(vit(v)[:, 0]) / self.student_temp for v in views]
        with torch.no_grad():
            teacher = [self.teacher_head(self.teacher_vit(v)[:, 0]) for v in views]
            targets = [F.softmax((t - self.center) / self.teacher_temp, -1) for t in teacher]
            self.center.mul_(self.center_momentum).add_(torch.cat(teacher).mean(0, keepdim=True) * (1 - self.center_momentum))
        loss = sum(-(targets[1 - i] * F.log_softmax(student[i], -1)).sum(-1).mean() for i in range(2)) / 2
        return loss, {}

    @torch.no_grad()
    def after_step(self, vit, step, steps):
        """The teacher follows the student, its momentum rising from 0.996 to 1 on a cosine."""
        m = 1 - (1 - self.momentum) * (math.cos(math.pi * step / steps) + 1) / 2
        for t, s in zip(list(self.teacher_vit.parameters()) + list(self.teacher_head.parameters()),
                        list(vit.parameters()) + list(self.head.parameters())):
            t.mul_(m).add_(s.detach() * (1 - m))
        for t, s in zip(self.teacher_vit.buffers(), vit.buffers()):
            t.copy_(s)
