"""The scene check: a small head on the frozen ViT's tokens (model.SceneCheck)
trained to tell Shapes World scenes (the world mix: clean, resized, letterboxed
and photographed) from procedurally made non-scenes (non_scenes.py), so the app
can say when an image is not something GVT-tiny can read. The ViT stays as
stage 1 left it; only the head learns. Scenes are weighted ×4 against false
alarms, which cost a visitor more than a missed warning.
"""

import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .non_scenes import non_scene
from .pixels import to_pixels
from .preprocess import fit


def non_scene_pixels(n, seed, size):
    """n non-scenes as the engine sees them: drawn square or not (letterboxed), resized to size."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        w = int(rng.integers(112, 321))
        h = w if rng.random() < 0.5 else int(w * rng.choice([0.5625, 0.75, 1.333, 1.778]))
        img = non_scene(rng, max(w, h))
        if h != w:
            img = img.crop((0, 0, w, h))
        out.append(np.asarray(fit(img, size)[0], np.uint8))
    return np.stack(out)


@torch.no_grad()
def vit_tokens(vit, pixels, cfg, batch=64):
    vit.eval()
    return torch.cat([vit(to_pixels(pixels[i:i + batch], cfg)).half() for i in range(0, len(pixels), batch)])


def train_scene_check(model, data, args, log, path, non_scenes=None):
    """Trains model.vision.scene on --scene-images scenes and as many non-scenes (non_scenes: a function drawing n of
    them, where the caller keeps them for other runs); skipped when path exists."""
    head = model.vision.scene
    if not args.scene_steps:
        return
    if os.path.exists(path):
        head.load_state_dict(torch.load(path))
        log({"phase": "scene_check_loaded", "from": path})
        return
    cfg = model.cfg
    t0 = time.time()
    n = min(args.scene_images, len(data["pixels"]))
    neg = (non_scenes or (lambda k: non_scene_pixels(k, args.seed + 11, cfg.image_size)))(n)
    tokens = torch.cat([vit_tokens(model.vision.vit, data["pixels"][:n], cfg), vit_tokens(model.vision.vit, neg, cfg)])
    labels = torch.cat([torch.ones(n), torch.zeros(n)])
    weights = torch.cat([torch.full((n,), 4.0), torch.ones(n)])
    torch.manual_seed(args.seed + 12)
    opt = torch.optim.AdamW(head.parameters(), lr=2e-3, weight_decay=0.01)
    g = torch.Generator().manual_seed(args.seed + 13)
    head.train()
    for step in range(args.scene_steps):
        idx = torch.randint(0, 2 * n, (128,), generator=g)
        loss = F.binary_cross_entropy_with_logits(head.logit(tokens[idx].float()), labels[idx], weight=weights[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == args.scene_steps - 1:
            log({"phase": "scene_check", "step": step, "loss": round(float(loss), 4)})
    head.eval()
    torch.save(head.state_dict(), path)
    log({"phase": "scene_check_done", "seconds": round(time.time() - t0, 1)})
