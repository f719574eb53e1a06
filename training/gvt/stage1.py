"""Stage 1 of GVT-tiny: the ViT alone, with patch-level targets from the scene
geometry (per patch: the pixel share of each shape+colour label and the label
of the object centred there) plus image-level count heads on CLS, in three
parts: part 1 and part 2 (the schedule restarted) on clean spec scenes, part 3
(restarted again) on the world mix (data.WORLD_MIX: sizes, aspects, photos).
"""

import math
import os
import time

import torch
from torch import nn
import torch.nn.functional as F

from .data import NUM_LABELS
from .pixels import to_pixels
from .resume import save_whole


def lr_at(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))


class Stage1Heads(nn.Module):
    """Patch heads (cover: soft label shares, centre: label of the object centred in the patch)
    and image heads on CLS (total count, count per shape, per colour, presence per label)."""

    def __init__(self, w):
        super().__init__()
        self.cover = nn.Linear(w, NUM_LABELS)
        self.centre = nn.Linear(w, NUM_LABELS)
        self.total = nn.Linear(w, 10)
        self.per_shape = nn.Linear(w, 4 * 10)
        self.per_color = nn.Linear(w, 6 * 10)
        self.presence = nn.Linear(w, NUM_LABELS - 1)


def group_counts(objects):
    counts = torch.zeros(len(objects), NUM_LABELS - 1, dtype=torch.long)
    for i, objs in enumerate(objects):
        for s, c in objs:
            counts[i, s * 6 + c] += 1
    return counts


def image_targets(objects):
    groups = group_counts(objects).reshape(-1, 4, 6)  # [n, shape, colour]
    return groups.sum((1, 2)), groups.sum(2), groups.sum(1), (groups > 0).float().flatten(1)


def stage1_loss(heads, tok, objects, cover, centre, p2, targets, object_weight):
    """ViT tokens -> (loss, its image-level part): the CLS heads on counts and presence, plus with
    targets "patch" the patch heads on each patch's label shares and centred object."""
    cls, patches = tok[:, 0], tok[:, 1:]
    total, shape, color, presence = image_targets(objects)
    loss_img = (F.cross_entropy(heads.total(cls), total)
                + F.cross_entropy(heads.per_shape(cls).reshape(-1, 10), shape.reshape(-1))
                + F.cross_entropy(heads.per_color(cls).reshape(-1, 10), color.reshape(-1))
                + F.binary_cross_entropy_with_logits(heads.presence(cls), presence))
    if targets != "patch":
        return loss_img, loss_img
    cover = torch.from_numpy(cover).float() / p2
    centre = torch.from_numpy(centre).long()
    # Object patches are a small minority; object_weight lifts them over the background.
    pw = 1.0 + (object_weight - 1.0) * (1.0 - cover[..., 0])
    loss_cover = (-(cover * F.log_softmax(heads.cover(patches), -1)).sum(-1) * pw).sum() / pw.sum()
    cw = torch.full((NUM_LABELS,), float(object_weight))
    cw[0] = 1.0
    loss_centre = F.cross_entropy(heads.centre(patches).reshape(-1, NUM_LABELS), centre.reshape(-1), weight=cw)
    return loss_img + loss_cover + 2.0 * loss_centre, loss_img


def stage1(vit, heads, data, args, cfg, log, part, ckpt=None):
    """Part 1 samples the first --s1-images scenes; part 2 restarts the schedule (fresh optimiser,
    warm-up, lower peak) on the first --s1-restart-images, because part 1's loss was still falling
    steeply at its end; part 3 restarts it once more on the world mix (all its images). With ckpt,
    the part is kept there every --s1-ckpt-every steps and goes on from it, as an unbroken run would."""
    steps, peak, n, seed = {1: (args.s1_steps, args.s1_lr, args.s1_images, args.seed + 1),
                            2: (args.s1_restart_steps, args.s1_restart_lr, args.s1_restart_images, args.seed + 5),
                            3: (args.s1_world_steps, args.s1_world_lr, 0, args.seed + 6)}[part]
    params = list(vit.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=peak, weight_decay=0.05)
    n = min(n or len(data["pixels"]), len(data["pixels"]))
    g = torch.Generator().manual_seed(seed)
    p2 = float(cfg.patch_size**2)
    t0 = time.time()
    first = 0
    if ckpt and os.path.exists(ckpt):
        kept = torch.load(ckpt)
        vit.load_state_dict(kept["vit"])
        heads.load_state_dict(kept["heads"])
        opt.load_state_dict(kept["opt"])
        g.set_state(kept["generator"])
        first = kept["step"]
        log({"stage": 1, "part": part, "resumed_at": first})
    vit.train()
    for step in range(first, steps):
        idx = torch.randint(0, n, (args.s1_batch,), generator=g).numpy()
        x = to_pixels(data["pixels"][idx], cfg)
        for grp in opt.param_groups:
            grp["lr"] = lr_at(step, steps, peak, 200)
        loss, loss_img = stage1_loss(heads, vit(x), [data["objects"][i] for i in idx], data["cover"][idx], data["centre"][idx],
                                     p2, args.s1_targets, args.s1_object_weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            rec = {"stage": 1, "part": part, "step": step, "loss": round(float(loss), 4), "loss_img": round(float(loss_img), 4),
                   "elapsed": round(time.time() - t0, 1)}
            log(rec)
        stop = part == 1 and args.s1_stop_after and step + 1 == args.s1_stop_after
        if ckpt and ((step + 1) % args.s1_ckpt_every == 0 or stop) and step + 1 < steps:
            save_whole({"vit": vit.state_dict(), "heads": heads.state_dict(), "opt": opt.state_dict(),
                        "generator": g.get_state(), "step": step + 1}, ckpt)
        if stop:
            return False
    vit.eval()
    return True
