"""GVT-tiny training, the paper's two-stage recipe:

  stage 1: the ViT alone, with patch-level targets from the scene geometry (per
           patch: the pixel share of each shape+colour label and the label of
           the object centred there) plus image-level count heads on CLS, in
           two parts (the second restarts the learning-rate schedule);
  stage 2: the ViT frozen (its tokens computed once and cached), resampler +
           projection + LM trained on count, identify, vqa and caption, plus a
           group-count loss on the visual tokens (GroupCountHead, not exported).

  PYTHONPATH=training OMP_NUM_THREADS=2 python3 -m gvt.train --run training/runs/NAME [options]

Writes RUN/stage1-part1.pt (when part 2 runs), RUN/stage1.pt, RUN/model.pt (the whole GVT +
config), RUN/log.jsonl and RUN/eval.json (fp32 PyTorch scores on a held-out set made like the
eval sets).
Deterministic for a given --seed and options (same machine, same thread count).
"""

import argparse
import json
import math
import os
import pickle
import time
from dataclasses import asdict

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from .data import NUM_LABELS, as_scene, make_dataset
from .model import GVT, GVTConfig
from .pyeval import evaluate
from .shapes import TASKS, question_for
from .tokenizer import ByteWordTokenizer


def to_pixels(u8, cfg):
    """uint8 [B,S,S,3] -> normalised float [B,3,S,S], as src/engine/image.ts."""
    x = torch.from_numpy(u8).float().permute(0, 3, 1, 2) / 255.0
    mean = torch.tensor(cfg.mean, dtype=torch.float32)[None, :, None, None]
    std = torch.tensor(cfg.std, dtype=torch.float32)[None, :, None, None]
    return (x - mean) / std


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


class GroupCountHead(nn.Module):
    """Training-only head on the visual tokens: one attention-pooled query per colour+shape
    group predicts that group's count (0-9). A probe like it read every group right in 0.93
    of fresh scenes from the ViT's patch tokens but only 0.79 from the resampler's 32 tokens,
    the same share the LM captioned exactly; this loss makes the resampler keep the counts."""

    def __init__(self, width, heads=4):
        super().__init__()
        self.queries = nn.Parameter(torch.randn(NUM_LABELS - 1, width) * 0.02)
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.out = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, 10))

    def forward(self, visual):
        pooled, _ = self.attn(self.queries[None].expand(len(visual), -1, -1), visual, visual)
        return self.out(pooled)  # [B, groups, 10]


def stage1(vit, heads, data, args, cfg, log, part):
    """Part 1 samples the first --s1-images scenes; part 2 restarts the schedule (fresh optimiser,
    warm-up, lower peak) on the first --s1-restart-images, because part 1's loss was still falling
    steeply at its end."""
    steps, peak, n, seed = ((args.s1_steps, args.s1_lr, args.s1_images, args.seed + 1) if part == 1 else
                            (args.s1_restart_steps, args.s1_restart_lr, args.s1_restart_images, args.seed + 5))
    params = list(vit.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=peak, weight_decay=0.05)
    n = min(n or len(data["pixels"]), len(data["pixels"]))
    g = torch.Generator().manual_seed(seed)
    p2 = float(cfg.patch_size**2)
    t0 = time.time()
    vit.train()
    for step in range(steps):
        idx = torch.randint(0, n, (args.s1_batch,), generator=g).numpy()
        x = to_pixels(data["pixels"][idx], cfg)
        for grp in opt.param_groups:
            grp["lr"] = lr_at(step, steps, peak, 200)
        tok = vit(x)
        cls, patches = tok[:, 0], tok[:, 1:]
        total, shape, color, presence = image_targets([data["objects"][i] for i in idx])
        loss_img = (F.cross_entropy(heads.total(cls), total)
                    + F.cross_entropy(heads.per_shape(cls).reshape(-1, 10), shape.reshape(-1))
                    + F.cross_entropy(heads.per_color(cls).reshape(-1, 10), color.reshape(-1))
                    + F.binary_cross_entropy_with_logits(heads.presence(cls), presence))
        loss = loss_img
        if args.s1_targets == "patch":
            cover = torch.from_numpy(data["cover"][idx]).float() / p2
            centre = torch.from_numpy(data["centre"][idx]).long()
            # Object patches are a small minority; --s1-object-weight lifts them over the background.
            ow = args.s1_object_weight
            pw = 1.0 + (ow - 1.0) * (1.0 - cover[..., 0])
            loss_cover = (-(cover * F.log_softmax(heads.cover(patches), -1)).sum(-1) * pw).sum() / pw.sum()
            cw = torch.full((NUM_LABELS,), float(ow))
            cw[0] = 1.0
            loss_centre = F.cross_entropy(heads.centre(patches).reshape(-1, NUM_LABELS), centre.reshape(-1), weight=cw)
            loss = loss + loss_cover + 2.0 * loss_centre
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            rec = {"stage": 1, "part": part, "step": step, "loss": round(float(loss), 4), "loss_img": round(float(loss_img), 4),
                   "elapsed": round(time.time() - t0, 1)}
            log(rec)
    vit.eval()


@torch.no_grad()
def cache_features(vit, pixels, cfg, batch=32):
    # Eval mode as exported: a ViT fresh from --stage1 is still in train mode, and its batch
    # norm would use batch statistics and move its running ones. Batch 32: on 2 cores a short
    # timing gave 8.5 ms an image where 128 took 36-39; 80 000 images took 27 min (at 128 they
    # had run 47 min without finishing).
    vit.eval()
    out = []
    for i in range(0, len(pixels), batch):
        out.append(vit(to_pixels(pixels[i:i + batch], cfg)).half())
    return torch.cat(out)


class Batcher:
    """Builds stage-2 sequences: one question per listed task per image. The image prefix
    (<Img> + 32 visual tokens + </Img>) is run once per image and its KV cache shared by
    that image's questions; captions and short answers are padded in separate buckets."""

    def __init__(self, tok, cfg, seed, tasks_per_image):
        self.tok, self.cfg = tok, cfg
        self.rng = np.random.default_rng(seed)
        self.before = tok.encode("<Img>")
        self.after = tok.encode("</Img>")
        self.cache = {}
        self.tasks = tasks_per_image

    def enc(self, text):
        ids = self.cache.get(text)
        if ids is None:
            ids = self.cache[text] = self.tok.encode(text)
        return ids

    def build(self, objects_list):
        """-> buckets of (text ids [M, L] = question + answer + eos padded, loss mask [M, L], image index [M])."""
        buckets = {"caption": ([], [], []), "short": ([], [], [])}
        for i, objs in enumerate(objects_list):
            scene = as_scene(objs)
            for task in self.tasks:
                q, a = question_for(task, scene, self.rng)
                prompt = self.enc(q)
                answer = self.enc(" " + a) + [self.tok.eos_id]
                rows, masks, owner = buckets["caption" if task == "caption" else "short"]
                rows.append(prompt + answer)
                masks.append([0] * len(prompt) + [1] * len(answer))
                owner.append(i)
        out = []
        for rows, masks, owner in buckets.values():
            if not rows:
                continue
            width = max(len(r) for r in rows)
            ids = torch.full((len(rows), width), self.tok.pad_id, dtype=torch.long)
            mask = torch.zeros(len(rows), width)
            for j, (r, m) in enumerate(zip(rows, masks)):
                ids[j, :len(r)] = torch.tensor(r)
                mask[j, :len(m)] = torch.tensor(m, dtype=torch.float32)
            out.append((ids, mask, torch.tensor(owner)))
        return out


def lm_loss(model, visual, buckets, before, after):
    """visual [B,32,D] for B images; buckets from Batcher.build; token-mean CE over answer tokens."""
    lm = model.lm
    b = visual.shape[0]
    emb = lambda ids: lm.embed(torch.as_tensor(ids))
    prefix = torch.cat([emb(before)[None].expand(b, -1, -1), visual, emb(after)[None].expand(b, -1, -1)], 1)
    p = prefix.shape[1]
    _, past = lm(prefix, torch.ones(b, p, dtype=torch.long), torch.arange(p)[None].expand(b, -1), lm.empty_past(b))
    total, count = 0.0, 0.0
    for ids, mask, owner in buckets:
        m, t = ids.shape
        shared = [(k[owner], v[owner]) for k, v in past]
        logits, _ = lm(emb(ids), torch.ones(m, p + t, dtype=torch.long), torch.arange(p, p + t)[None].expand(m, -1), shared)
        # token j is predicted from position j - 1 of this call (answer tokens never come first).
        ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
        total = total + (ce.reshape(m, t - 1) * mask[:, 1:]).sum()
        count += float(mask[:, 1:].sum())
    return total / count


def stage2(model, feats, objects, args, tok, log, pixels=None):
    """Trains resampler + projection + LM on cached ViT tokens (or, with --finetune-vit, the ViT too on pixels)."""
    cfg = model.cfg
    trainable = list(model.vision.resampler.parameters()) + list(model.vision.proj.parameters()) + list(model.lm.parameters())
    # Seeded here so the head starts the same whether stage 1 ran in this process (drawing
    # its heads from the global generator) or came from --stage1.
    torch.manual_seed(args.seed + 4)
    group_head = GroupCountHead(cfg.lm_width) if args.group_loss else None
    if group_head is not None:
        trainable += list(group_head.parameters())
    if args.finetune_vit:
        trainable += list(model.vision.vit.parameters())
    opt = torch.optim.AdamW(trainable, lr=args.s2_lr, weight_decay=0.01)
    batcher = Batcher(tok, cfg, args.seed + 2, TASKS + ["caption"] * (args.caption_copies - 1) + ["count"] * (args.count_copies - 1))
    n = len(objects)
    g = torch.Generator().manual_seed(args.seed + 3)
    t0 = time.time()
    model.train()
    for step in range(args.s2_steps):
        idx = torch.randint(0, n, (args.s2_batch,), generator=g)
        for grp in opt.param_groups:
            grp["lr"] = lr_at(step, args.s2_steps, args.s2_lr, 300)
        if args.finetune_vit:
            tokens = model.vision.vit(to_pixels(pixels[idx.numpy()], cfg))
        else:
            tokens = feats[idx].float()
        visual = model.vision.proj(model.vision.resampler(tokens))
        batch_objects = [objects[i] for i in idx.tolist()]
        buckets = batcher.build(batch_objects)
        loss = lm_loss(model, visual, buckets, batcher.before, batcher.after)
        rec = {}
        if group_head is not None:
            targets = group_counts(batch_objects)
            loss_group = F.cross_entropy(group_head(visual).reshape(-1, 10), targets.reshape(-1))
            rec["loss_group"] = round(float(loss_group), 4)
            loss = loss + args.group_loss * loss_group
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        if step % 100 == 0 or step == args.s2_steps - 1:
            log({"stage": 2, "step": step, "loss": round(float(loss), 4), **rec, "elapsed": round(time.time() - t0, 1)})
    model.eval()


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
    ap.add_argument("--images", type=int, default=80000)
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
    ap.add_argument("--s1-targets", choices=["patch", "image"], default="patch")
    ap.add_argument("--s1-object-weight", type=float, default=10.0, help="weight of object patches in the patch losses")
    ap.add_argument("--s2-steps", type=int, default=4000)
    ap.add_argument("--s2-batch", type=int, default=32)
    ap.add_argument("--s2-images", type=int, default=0, help="stage 2 uses the first N images (0: all)")
    ap.add_argument("--s2-lr", type=float, default=2e-3)
    ap.add_argument("--caption-copies", type=int, default=1)
    ap.add_argument("--count-copies", type=int, default=1)
    ap.add_argument("--group-loss", type=float, default=1.0, help="weight of the stage-2 group-count loss on the visual tokens")
    ap.add_argument("--finetune-vit", action="store_true", help="stage 2 trains the ViT too (ablation; no feature cache)")
    ap.add_argument("--data-cache", help="pickle of the generated data set, written if missing (experiments)")
    ap.add_argument("--stage1", help="a stage1.pt to start stage 2 from instead of training stage 1 (experiments)")
    ap.add_argument("--stage1-part1", help="a stage1-part1.pt to run only stage 1's part 2 from (experiments)")
    ap.add_argument("--data-workers", type=int, default=1)
    ap.add_argument("--eval-n", type=int, default=800, help="held-out questions for the fp32 PyTorch score")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.run, exist_ok=True)
    log_path = os.path.join(args.run, "log.jsonl")
    open(log_path, "w").close()
    t_start = time.time()

    def log(rec):
        rec["wall"] = round(time.time() - t_start, 1)
        print(json.dumps(rec), flush=True)
        with open(log_path, "a") as f:
            f.write(json.dumps(rec) + "\n")

    tok = ByteWordTokenizer()
    cfg = model_config(args, len(tok))
    model = GVT(cfg)
    log({"phase": "config", "args": vars(args), "params": sum(p.numel() for p in model.parameters()),
         "vision_params": sum(p.numel() for p in model.vision.parameters())})

    if args.data_cache and os.path.exists(args.data_cache):
        with open(args.data_cache, "rb") as f:
            data = pickle.load(f)
    else:
        data = make_dataset(args.images, args.seed, cfg.image_size, cfg.grid, workers=args.data_workers)
        if args.data_cache:
            with open(args.data_cache, "wb") as f:
                pickle.dump(data, f, protocol=4)
    log({"phase": "data", "images": len(data["pixels"])})

    if args.stage1:  # reuse a stage-1 ViT (experiments on stage 2 only)
        model.vision.vit.load_state_dict(torch.load(args.stage1)["vit"])
        log({"phase": "stage1_loaded", "from": args.stage1})
    else:
        heads = Stage1Heads(cfg.vit_width)
        save = lambda name: torch.save({"vit": model.vision.vit.state_dict(), "heads": heads.state_dict(),
                                        "config": cfg.to_dict()}, os.path.join(args.run, name))
        if args.stage1_part1:
            ckpt = torch.load(args.stage1_part1)
            model.vision.vit.load_state_dict(ckpt["vit"])
            heads.load_state_dict(ckpt["heads"])
            log({"phase": "stage1_part1_loaded", "from": args.stage1_part1})
        else:
            stage1(model.vision.vit, heads, data, args, cfg, log, part=1)
            if args.s1_restart_steps:  # without part 2 it would be a copy of stage1.pt
                save("stage1-part1.pt")
        if args.s1_restart_steps:
            stage1(model.vision.vit, heads, data, args, cfg, log, part=2)
        save("stage1.pt")
        log({"phase": "stage1_done"})

    n2 = args.s2_images or len(data["objects"])
    feats = None
    if not args.finetune_vit:
        for p in model.vision.vit.parameters():
            p.requires_grad_(False)
        feats = cache_features(model.vision.vit, data["pixels"][:n2], cfg)
        log({"phase": "features_cached", "shape": list(feats.shape)})
    stage2(model, feats, data["objects"][:n2], args, tok, log, pixels=data["pixels"][:n2])
    torch.save({"model": model.state_dict(), "config": cfg.to_dict()}, os.path.join(args.run, "model.pt"))
    train_s = time.time() - t_start
    log({"phase": "trained", "seconds": round(train_s, 1)})

    if args.eval_n:
        scores = evaluate(model, tok, n=args.eval_n, seed=args.seed + 999)
        log({"phase": "eval", **scores})
        with open(os.path.join(args.run, "eval.json"), "w") as f:
            json.dump({"train_seconds": round(train_s, 1), **scores}, f, indent=2)


def load_model(run):
    ckpt = torch.load(os.path.join(run, "model.pt"))
    cfg = GVTConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in ckpt["config"].items()})
    model = GVT(cfg)
    model.load_state_dict(ckpt["model"])
    return model.eval()


if __name__ == "__main__":
    main()
