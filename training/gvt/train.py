"""GVT-tiny training, the paper's two-stage recipe:

  stage 1 (stage1.py): the ViT alone, with patch-level targets from the scene
           geometry and image-level count heads on CLS; parts 1 and 2 on clean
           spec scenes, part 3 on the world mix (sizes, aspects, photographed cards);
  scene check (scene_check.py): a head on the frozen ViT's tokens that tells
           Shapes World scenes from other images;
  stage 2 (stage2.py): the ViT frozen (its tokens computed once and cached),
           resampler + projection + LM trained on the four tasks, asked with the
           spec's templates and as visitors type them, plus off-topic questions;
  stage 2b (stage2.py, polish): the LM alone goes on at a lower rate.

  PYTHONPATH=training OMP_NUM_THREADS=2 python3 -m gvt.train --run training/runs/NAME [options]

Every phase writes its result to RUN/ (stage1-partN-ckpt.pt every --s1-ckpt-every steps of
a stage-1 part, stage1-clean.pt, world-data.pkl, stage1.pt,
scene-check.pt, features.pt, stage2-ckpt.pt every --s2-ckpt-every steps, stage2.pt,
stage2b-ckpt.pt) and a rerun of
the same command continues from the last one written: a stopped run loses little.
Then RUN/model.pt (the whole GVT + config), RUN/log.jsonl and RUN/eval.json (fp32
PyTorch scores on a held-out set made like the eval sets).
Deterministic for a given --seed and options (same machine, same thread count).
"""

import argparse
import json
import os
import pickle
import time
from dataclasses import replace

import torch

from .alloc import keep_large_blocks
from .data import make_dataset
from .model import GVT, GVTConfig, ViT, fit_positions
from .pyeval import evaluate
from .scene_check import non_scene_pixels, train_scene_check, vit_tokens
from .stage1 import Stage1Heads, stage1
from .resume import load_phase, save_phase
from .stage2 import cache_features, stage2
from .tokenizer import ByteWordTokenizer


def model_config(args, vocab):
    return GVTConfig(image_size=args.image_size, patch_size=args.patch_size, stem=args.stem, vit_width=args.vit_width,
                     vit_layers=args.vit_layers, vit_heads=args.vit_heads, resampler_layers=args.resampler_layers,
                     resampler_heads=args.resampler_heads, num_latents=32, lm_width=args.lm_width,
                     lm_layers=args.lm_layers, lm_heads=args.lm_heads, lm_mlp_ratio=4, vocab_size=vocab,
                     max_positions=args.max_positions)


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--images", type=int, default=40000, help="clean spec scenes for stage 1's parts 1 and 2")
    ap.add_argument("--world-images", type=int, default=64000,
                    help="world-mix images for stage 1's part 3 and stage 2 (0: stage 2 on the clean scenes)")
    ap.add_argument("--image-size", type=int, default=112)
    ap.add_argument("--patch-size", type=int, default=8)
    ap.add_argument("--stem", choices=["patch", "conv"], default="conv", help="ViT patch embedding")
    ap.add_argument("--vit-width", type=int, default=96)
    ap.add_argument("--vit-layers", type=int, default=4)
    ap.add_argument("--vit-heads", type=int, default=4)
    ap.add_argument("--resampler-layers", type=int, default=4)
    ap.add_argument("--resampler-heads", type=int, default=8)
    ap.add_argument("--lm-width", type=int, default=128)
    ap.add_argument("--lm-layers", type=int, default=3)
    ap.add_argument("--lm-heads", type=int, default=4)
    ap.add_argument("--max-positions", type=int, default=160)
    ap.add_argument("--s1-images", type=int, default=20000, help="stage 1 samples the first N images (0: all)")
    ap.add_argument("--s1-steps", type=int, default=3000)
    ap.add_argument("--s1-batch", type=int, default=32)
    ap.add_argument("--s1-lr", type=float, default=2e-3)
    ap.add_argument("--s1-restart-steps", type=int, default=2000, help="stage 1 part 2: steps of a restarted schedule")
    ap.add_argument("--s1-restart-lr", type=float, default=1e-3)
    ap.add_argument("--s1-restart-images", type=int, default=40000, help="stage 1 part 2 samples the first N images (0: all)")
    ap.add_argument("--s1-clean-size", type=int, default=0,
                    help="input size of stage 1's parts 1 and 2 on the clean scenes (0: --image-size); part 3 goes on at --image-size")
    ap.add_argument("--s1-world-steps", type=int, default=1500, help="stage 1 part 3: steps on the world mix")
    ap.add_argument("--s1-world-lr", type=float, default=1e-3)
    ap.add_argument("--s1-ckpt-every", type=int, default=250, help="stage 1 steps between checkpoints of a part")
    ap.add_argument("--s1-targets", choices=["patch", "image"], default="patch")
    ap.add_argument("--s1-object-weight", type=float, default=10.0, help="weight of object patches in the patch losses")
    ap.add_argument("--s2-steps", type=int, default=4500)
    ap.add_argument("--s2-batch", type=int, default=32)
    ap.add_argument("--s2-images", type=int, default=0, help="stage 2 uses the first N images (0: all)")
    ap.add_argument("--s2-lr", type=float, default=2e-3)
    ap.add_argument("--s2-template", type=float, default=0.35, help="share of questions worded by the spec's templates")
    ap.add_argument("--s2-off-topic", type=float, default=0.25, help="chance per image of an off-topic question")
    ap.add_argument("--s2-claims-from", type=int, default=1000,
                    help="stage-2 step from which a share of identify questions check a claim (training/README.md: from step 0 "
                         "the held-out \"tell me the shape of …\" was read as a claim)")
    ap.add_argument("--s2-ckpt-every", type=int, default=250)
    ap.add_argument("--s2-non-scenes", type=int, default=2, help="non-scenes a stage-2 step shows, asked anything, answered with the refusal")
    ap.add_argument("--non-scene-images", type=int, default=3000, help="non-scenes drawn for that (their ViT tokens cached)")
    ap.add_argument("--s2b-steps", type=int, default=1200, help="stage 2b: steps of the LM alone after stage 2 (0: none)")
    ap.add_argument("--s2b-lr", type=float, default=5e-4)
    ap.add_argument("--scene-steps", type=int, default=600, help="scene-check head: training steps")
    ap.add_argument("--scene-images", type=int, default=6000, help="scene-check head: scenes (and as many non-scenes)")
    ap.add_argument("--until", choices=["stage1", "all"], default="all", help="stop after this phase")
    ap.add_argument("--s1-stop-after", type=int, default=0,
                    help="stop after this many steps of stage 1's part 1 with a checkpoint (tests resuming)")
    ap.add_argument("--s2-stop-after", type=int, default=0,
                    help="stop after this many stage-2 steps with a checkpoint, as a stopped session would (tests resuming)")
    ap.add_argument("--caption-copies", type=int, default=2)
    ap.add_argument("--count-copies", type=int, default=2)
    ap.add_argument("--group-loss", type=float, default=1.0, help="weight of the stage-2 group-count loss on the visual tokens")
    ap.add_argument("--finetune-vit", action="store_true", help="stage 2 trains the ViT too (ablation; no feature cache)")
    ap.add_argument("--s2-live-features", action="store_true",
                    help="stage 2 runs the frozen ViT on each batch instead of caching every image's tokens first "
                         "(for a stage 2 split across machines, each of which would rebuild the cache)")
    ap.add_argument("--data-cache", help="pickle of the clean data set, written if missing (experiments)")
    ap.add_argument("--stage1", help="a stage1-clean.pt (parts 1 and 2) to go on from instead of training them")
    ap.add_argument("--stage1-part1", help="a stage1-part1.pt to run only stage 1's part 2 from (experiments)")
    ap.add_argument("--data-workers", type=int, default=1)
    ap.add_argument("--eval-n", type=int, default=800, help="held-out questions for the fp32 PyTorch score")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    return ap


def pickled(path, make):
    """make(), kept in path (pickle) so a rerun of the run skips it."""
    if path and os.path.exists(path):
        with open(path, "rb") as f:
            return pickle.load(f)
    value = make()
    if path:
        with open(path + ".tmp", "wb") as f:
            pickle.dump(value, f, protocol=4)
        os.replace(path + ".tmp", path)
    return value


def run_stage1(model, cfg, args, log, path):
    """Stage 1, each part skipped when its checkpoint is in RUN/ (or given)."""
    vit = model.vision.vit
    heads = Stage1Heads(cfg.vit_width)
    # Parts 1 and 2 may learn the clean scenes at a smaller input (--s1-clean-size), where a step costs less;
    # part 3 on the world mix then adapts the ViT to the full size, its patch positions resized.
    clean_cfg = replace(cfg, image_size=args.s1_clean_size) if args.s1_clean_size and args.world_images else cfg
    clean_vit = vit if clean_cfg == cfg else ViT(clean_cfg)
    def save(name, v=vit, c=cfg):
        torch.save({"vit": v.state_dict(), "heads": heads.state_dict(), "config": c.to_dict()}, path(name))
    def load(file, v=vit, c=cfg):
        ckpt = torch.load(file)
        v.load_state_dict(fit_positions(ckpt["vit"], c.grid))
        heads.load_state_dict(ckpt["heads"])
    clean = args.stage1 or (path("stage1-clean.pt") if os.path.exists(path("stage1-clean.pt")) else None)
    # A run resumed after part 3 needs neither the clean checkpoint nor the clean data.
    finished = args.world_images and os.path.exists(path("stage1.pt"))
    data = None
    if (not clean and not finished) or not args.world_images:
        data = pickled(args.data_cache, lambda: make_dataset(args.images, args.seed, clean_cfg.image_size, clean_cfg.grid,
                                                             workers=args.data_workers))
        log({"phase": "data", "images": len(data["pixels"])})
    if clean and not finished:
        load(clean)
        log({"phase": "stage1_clean_loaded", "from": clean})
    elif not finished:
        # A run stopped in part 2 goes on from part 1's result rather than redoing part 1's last steps.
        part1 = args.stage1_part1 or (path("stage1-part1.pt") if os.path.exists(path("stage1-part1.pt")) else None)
        if part1:
            load(part1, clean_vit, clean_cfg)
            log({"phase": "stage1_part1_loaded", "from": part1})
        else:
            if not stage1(clean_vit, heads, data, args, clean_cfg, log, part=1, ckpt=path("stage1-part1-ckpt.pt")):
                return None
            if args.s1_restart_steps:  # without part 2 it would be a copy of stage1-clean.pt
                save("stage1-part1.pt", clean_vit, clean_cfg)
        if args.s1_restart_steps:
            stage1(clean_vit, heads, data, args, clean_cfg, log, part=2, ckpt=path("stage1-part2-ckpt.pt"))
        save("stage1-clean.pt", clean_vit, clean_cfg)
        if clean_vit is not vit:
            load(path("stage1-clean.pt"))
    if not args.world_images:  # stage 2 on the clean scenes (the ablations)
        return data
    world = pickled(path("world-data.pkl"), lambda: make_dataset(args.world_images, args.seed, cfg.image_size, cfg.grid,
                                                                 workers=args.data_workers, mix="world"))
    log({"phase": "world_data", "images": len(world["pixels"])})
    if os.path.exists(path("stage1.pt")):
        load(path("stage1.pt"))
    else:
        if args.s1_world_steps:
            stage1(vit, heads, world, args, cfg, log, part=3, ckpt=path("stage1-part3-ckpt.pt"))
        save("stage1.pt")
    log({"phase": "stage1_done"})
    return world


def main(argv=None):
    args = parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    keep_large_blocks()
    torch.manual_seed(args.seed)
    os.makedirs(args.run, exist_ok=True)
    path = lambda name: os.path.join(args.run, name)
    t_start = time.time()

    def log(rec):
        rec["wall"] = round(time.time() - t_start, 1)
        print(json.dumps(rec), flush=True)
        with open(path("log.jsonl"), "a") as f:
            f.write(json.dumps(rec) + "\n")

    tok = ByteWordTokenizer()
    cfg = model_config(args, len(tok))
    model = GVT(cfg)
    log({"phase": "config", "args": vars(args), "params": sum(p.numel() for p in model.parameters()),
         "vision_params": sum(p.numel() for p in model.vision.parameters())})
    data = run_stage1(model, cfg, args, log, path)
    if data is None:  # stopped inside stage 1 (--s1-stop-after)
        return
    model.vision.vit.eval()
    if args.until == "stage1":
        return
    for p in model.vision.vit.parameters():
        p.requires_grad_(bool(args.finetune_vit))
    train_scene_check(model, data, args, log, path("scene-check.pt"))

    n2 = args.s2_images or len(data["objects"])
    feats = None
    if not args.finetune_vit and not args.s2_live_features:
        feats = pickled(path("features.pkl"), lambda: cache_features(model.vision.vit, data["pixels"][:n2], cfg))
        log({"phase": "features_cached", "shape": list(feats.shape)})
    objects, pixels = data["objects"][:n2], data["pixels"][:n2]
    non_scenes = None
    if args.s2_non_scenes and not args.finetune_vit:
        non_scenes = pickled(path("non-scene-features.pkl"), lambda: vit_tokens(
            model.vision.vit, non_scene_pixels(args.non_scene_images, args.seed + 21, cfg.image_size), cfg))
    if os.path.exists(path("stage2.pt")):
        load_phase(path("stage2.pt"), model, tok, log)
    else:
        if not stage2(model, feats, objects, args, tok, log, path("stage2-ckpt.pt"), pixels=pixels, non_scene_feats=non_scenes):
            return
        save_phase(path("stage2.pt"), model, tok)
    if args.s2b_steps and not stage2(model, feats, objects, args, tok, log, path("stage2b-ckpt.pt"), pixels=pixels, polish=True,
                                     non_scene_feats=non_scenes):
        return
    torch.save({"model": model.state_dict(), "config": cfg.to_dict()}, path("model.pt"))
    train_s = time.time() - t_start
    log({"phase": "trained", "seconds": round(train_s, 1)})

    if args.eval_n:
        scores = {kind: evaluate(model, tok, n=args.eval_n, seed=args.seed + 999, paraphrase=kind == "paraphrase", photo=kind == "photo")
                  for kind in ("clean", "paraphrase", "photo")}
        log({"phase": "eval", **scores})
        with open(path("eval.json"), "w") as f:
            json.dump({"train_seconds": round(train_s, 1), **scores}, f, indent=2)


if __name__ == "__main__":
    main()
