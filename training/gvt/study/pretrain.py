"""Pre-trains one visual tokenizer of the study (GVT-tiny's ViT) with one method, on the first
`images` clean Shapes World scenes (seed 0: a larger pool starts with the same scenes), under the
same budget for every method: STEPS steps of BATCH images, AdamW, warm-up then cosine.
Checkpoints every CKPT_EVERY steps to RUN/pretrain-ckpt.pt and resumes from there; writes
RUN/vit.pt when done."""

import os
import time

import numpy as np
import torch

from ..model import GVTConfig, ViT
from ..resume import save_whole
from ..stage1 import lr_at
from ..tokenizer import ByteWordTokenizer
from .contrastive import ContrastiveObjective
from .feature_distillation import FeatureDistillationObjective
from .labels import LabelObjective
from .masked_image import MaskedImageObjective
from .self_distillation import SelfDistillationObjective

STEPS, BATCH, LR, WARMUP, CKPT_EVERY = 1000, 32, 1e-3, 100, 250
METHODS = {
    "supervised": "image-level labels on CLS (DeiT's role)",
    "clip": "image-text contrastive on noisy alt-text (CLIP's role)",
    "mae": "masked image modelling, 75 % masked (MAE's role)",
    "dino": "self-distillation, EMA teacher, augmented views (DINO's role)",
    "patch": "patch-level supervision (GVT-tiny's stage 1)",
    "gvt": "patch-level feature distillation from the contrastive tokenizer (GVT)",
    "eva": "the same distillation with 40 % masked (EVA's recipe)",
}


def load_vit(path):
    ck = torch.load(path)
    cfg = GVTConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in ck["config"].items()})
    vit = ViT(cfg)
    vit.load_state_dict(ck["vit"])
    return vit.eval()


def make_objective(method, cfg, vit, seed, teacher_path):
    if method in ("supervised", "patch"):
        return LabelObjective(cfg, "image" if method == "supervised" else "patch")
    if method == "clip":
        return ContrastiveObjective(cfg, ByteWordTokenizer(), seed)
    if method == "mae":
        return MaskedImageObjective(cfg)
    if method == "dino":
        return SelfDistillationObjective(cfg, vit)
    return FeatureDistillationObjective(cfg, load_vit(teacher_path), mask_ratio=0.4 if method == "eva" else 0.0)


def pretrain(method, data, run, log, cfg, seed=0, teacher_path=None, steps=STEPS, batch=BATCH, log_every=100):
    """-> the path of RUN/vit.pt (trained here unless it exists)."""
    out = os.path.join(run, "vit.pt")
    if os.path.exists(out):
        return out
    os.makedirs(run, exist_ok=True)
    torch.manual_seed(seed + 1)
    vit = ViT(cfg)
    objective = make_objective(method, cfg, vit, seed + 2, teacher_path)
    params = [p for p in list(vit.parameters()) + list(objective.parameters()) if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=LR, weight_decay=0.05)
    g = torch.Generator().manual_seed(seed + 3)
    ckpt, start = os.path.join(run, "pretrain-ckpt.pt"), 0
    if os.path.exists(ckpt):
        ck = torch.load(ckpt)
        vit.load_state_dict(ck["vit"])
        objective.load_state_dict(ck["objective"])
        opt.load_state_dict(ck["opt"])
        g.set_state(ck["generator"])
        if hasattr(objective, "rng"):
            objective.rng.bit_generator.state = ck["rng"]
        start = ck["step"]
        log({"phase": "pretrain_resumed", "method": method, "step": start})
    n = len(data["pixels"])
    vit.train()
    objective.train()
    t0 = time.time()
    for step in range(start, steps):
        idx = np.sort(torch.randint(0, n, (batch,), generator=g).numpy())
        sample = {"pixels": data["pixels"][idx], "cover": data["cover"][idx], "centre": data["centre"][idx],
                  "objects": [data["objects"][i] for i in idx]}
        for grp in opt.param_groups:
            grp["lr"] = lr_at(step, steps, LR, min(WARMUP, max(1, steps // 10)))
        loss, extra = objective.loss(vit, sample, g)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if hasattr(objective, "after_step"):
            objective.after_step(vit, step, steps)
        if step % log_every == 0 or step == steps - 1:
            log({"phase": "pretrain", "method": method, "step": step, "loss": round(float(loss), 4), **extra,
                 "elapsed": round(time.time() - t0, 1)})
        if (step + 1) % CKPT_EVERY == 0 and step + 1 < steps:
            state = {"vit": vit.state_dict(), "objective": objective.state_dict(), "opt": opt.state_dict(),
                     "generator": g.get_state(), "step": step + 1}
            if hasattr(objective, "rng"):
                state["rng"] = objective.rng.bit_generator.state
            save_whole(state, ckpt)
    save_whole({"vit": vit.state_dict(), "config": cfg.to_dict()}, out)
    return out
