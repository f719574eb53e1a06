"""How well a stage-1 ViT recognises objects, patch by patch, on fresh scenes:

  PYTHONPATH=training python3 -m gvt.probe_stage1 training/runs/NAME/stage1.pt [--n 300]

Reads the centre head at the patch holding each object's centre: the share of
objects with the right shape×colour label, shape, colour; and the CLS heads: the
share of scenes with the total count right and with all four shape counts right.
"""

import argparse

import numpy as np
import torch

from .data import make_dataset
from .model import GVT, GVTConfig
from .pixels import to_pixels
from .stage1 import Stage1Heads, image_targets


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ckpt")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=777)
    args = ap.parse_args()
    ck = torch.load(args.ckpt)
    cfg = GVTConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in ck["config"].items()})
    model = GVT(cfg)
    model.vision.vit.load_state_dict(ck["vit"])
    heads = Stage1Heads(cfg.vit_width)
    heads.load_state_dict(ck["heads"])
    d = make_dataset(args.n, args.seed, cfg.image_size, cfg.grid, workers=1)
    with torch.no_grad():
        tokens = model.vision.vit.eval()(to_pixels(d["pixels"], cfg))
        pred = heads.centre(tokens[:, 1:]).argmax(-1).numpy()
        total, per_shape, _, _ = image_targets(d["objects"])
        total_ok = (heads.total(tokens[:, 0]).argmax(-1) == total).float().mean()
        shapes_ok = (heads.per_shape(tokens[:, 0]).reshape(-1, 4, 10).argmax(-1) == per_shape).all(-1).float().mean()
    truth = d["centre"].astype(np.int64)
    obj = truth > 0
    print(f"label {np.mean(pred[obj] == truth[obj]):.3f}  shape {np.mean((pred[obj] - 1) // 6 == (truth[obj] - 1) // 6):.3f}  "
          f"colour {np.mean((pred[obj] - 1) % 6 == (truth[obj] - 1) % 6):.3f}  false detections per patch {np.mean(pred[~obj] > 0):.4f}")
    print(f"total count {total_ok:.3f}  all shape counts {shapes_ok:.3f}")


if __name__ == "__main__":
    main()
