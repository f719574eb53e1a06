"""Stage 2 of GVT-tiny: the ViT frozen (its tokens computed once and cached),
resampler + projection + LM trained on the four tasks, asked both with the
spec's templates and as visitors type them (phrasing.py, sent through the vqa
template as the app sends a typed question), plus off-topic questions answered
with phrasing.REFUSAL, and a group-count loss on the visual tokens
(GroupCountHead, not exported). Checkpoints every --s2-ckpt-every steps to
RUN/stage2-ckpt.pt and resumes from there.

Stage 2b (`polish`) goes on from stage 2 with the LM alone at a lower rate, on fresh draws
of the same mix: the visual tokens stay as stage 2 left them, the language is worked on.
"""

import os
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from .data import NUM_LABELS, as_scene
from .export import TASKS as PROMPTS
from .phrasing import CLAIM_SHARE, REFUSAL, ask, off_topic
from .pixels import to_pixels
from .resume import grow_checkpoint, save_whole
from .shapes import TASKS, question_for
from .stage1 import group_counts, lr_at


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


def free_prompt(question):
    """A typed question as the app sends it (src/engine/prompt.ts freePrompt): through the vqa template."""
    return PROMPTS["vqa"].replace("{question}", question.strip())


class Batcher:
    """Builds stage-2 sequences: one question per listed task per image, worded by the spec's
    template (share --s2-template) or as a visitor types it, and now and then an off-topic
    question (share --s2-off-topic). The image prefix (<Img> + 32 visual tokens + </Img>) is run
    once per image and its KV cache shared by that image's questions; captions and short
    answers are padded in separate buckets."""

    def __init__(self, tok, cfg, seed, tasks_per_image, template_share=1.0, off_topic_share=0.0):
        self.tok, self.cfg = tok, cfg
        self.rng = np.random.default_rng(seed)
        self.before = tok.encode("<Img>")
        self.after = tok.encode("</Img>")
        self.cache = {}
        self.tasks = tasks_per_image
        self.template_share, self.off_topic_share = template_share, off_topic_share
        self.claim_share = CLAIM_SHARE

    def enc(self, text, target=False):
        ids = self.cache.get((text, target))
        if ids is None:
            ids = self.cache[(text, target)] = self.tok.encode_target(text) if target else self.tok.encode(text)
        return ids

    def questions(self, scene):
        """(prompt, answer, bucket) for one image."""
        out = []
        for task in self.tasks:
            if self.rng.random() < self.template_share:
                q, a = question_for(task, scene, self.rng)
            else:
                q, a = ask(task, scene, self.rng, claim_share=self.claim_share)
                q = free_prompt(q)
            out.append((q, a, "caption" if task == "caption" else "short"))
        if self.rng.random() < self.off_topic_share:
            q, a = off_topic(self.rng)
            out.append((free_prompt(q), a, "caption"))
        return out

    def non_scene_question(self, scene):
        """(prompt, REFUSAL, bucket) for an image that is no Shapes World scene: whatever is asked
        about a photo, the honest answer is what the model can do. The wording is drawn as for
        `scene` (a task question or an off-topic one), so only the picture tells the two apart."""
        if self.rng.random() < 0.25:
            q, _ = off_topic(self.rng)
        else:
            task = TASKS[int(self.rng.integers(len(TASKS)))]
            if self.rng.random() < self.template_share:
                return question_for(task, scene, self.rng)[0], REFUSAL, "caption"
            q, _ = ask(task, scene, self.rng)
        return free_prompt(q), REFUSAL, "caption"

    def build(self, objects_list, non_scenes=0):
        """-> buckets of (text ids [M, L] = question + answer + eos padded, loss mask [M, L], image index [M]);
        images past the scenes (index len(objects_list) + j) are `non_scenes` non-scenes, one question each."""
        buckets = {"caption": ([], [], []), "short": ([], [], [])}
        asked = [self.questions(as_scene(objs)) for objs in objects_list]
        asked += [[self.non_scene_question(as_scene(objects_list[j % len(objects_list)]))] for j in range(non_scenes)]
        for i, questions in enumerate(asked):
            for q, a, bucket in questions:
                prompt = self.enc(q)
                answer = self.enc(" " + a, target=True) + [self.tok.eos_id]
                rows, masks, owner = buckets[bucket]
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


def stage2(model, feats, objects, args, tok, log, ckpt_path, pixels=None, polish=False, non_scene_feats=None):
    """Trains resampler + projection + LM on cached ViT tokens (feats; None: the frozen ViT's
    tokens of each batch, or with --finetune-vit the ViT too, on pixels); with polish, stage 2b: the LM alone. Each step also shows --s2-non-scenes
    non-scenes (non_scene_feats: their cached ViT tokens) asked anything, answered REFUSAL.
    Resumes from ckpt_path if it exists. False when stopped early (--s2-stop-after)."""
    cfg = model.cfg
    steps, peak, warmup, name = (args.s2b_steps, args.s2b_lr, 50, "2b") if polish else (args.s2_steps, args.s2_lr, 300, 2)
    seed = args.seed + (10 if polish else 0)
    trainable = list(model.lm.parameters())
    if not polish:
        trainable += list(model.vision.resampler.parameters()) + list(model.vision.proj.parameters())
    # Seeded here so the head starts the same whether stage 1 ran in this process or not.
    torch.manual_seed(args.seed + 4)
    group_head = GroupCountHead(cfg.lm_width) if args.group_loss and not polish else None
    if group_head is not None:
        trainable += list(group_head.parameters())
    if args.finetune_vit:
        trainable += list(model.vision.vit.parameters())
    opt = torch.optim.AdamW(trainable, lr=peak, weight_decay=0.01)
    batcher = Batcher(tok, cfg, seed + 2, TASKS + ["caption"] * (args.caption_copies - 1) + ["count"] * (args.count_copies - 1),
                      args.s2_template, args.s2_off_topic)
    n = len(objects)
    extra = args.s2_non_scenes if non_scene_feats is not None else 0
    g = torch.Generator().manual_seed(seed + 3)
    start = 0
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        grow_checkpoint(ck, tok, trainable, model, log)
        model.load_state_dict(ck["model"])
        if group_head is not None:
            group_head.load_state_dict(ck["group_head"])
        opt.load_state_dict(ck["opt"])
        g.set_state(ck["generator"])
        batcher.rng.bit_generator.state = ck["batcher_rng"]
        start = ck["step"]
        log({"phase": f"stage{name}_resumed", "step": start})
    t0 = time.time()
    model.train()
    if feats is None and not args.finetune_vit:
        model.vision.vit.eval()  # frozen, as cache_features runs it
    for step in range(start, steps):
        idx = torch.randint(0, n, (args.s2_batch,), generator=g)
        for grp in opt.param_groups:
            grp["lr"] = lr_at(step, steps, peak, warmup)
        batcher.claim_share = CLAIM_SHARE if polish or step >= args.s2_claims_from else 0.0
        if feats is not None:
            tokens = feats[idx].float()
        else:
            with torch.set_grad_enabled(bool(args.finetune_vit)):
                tokens = model.vision.vit(to_pixels(pixels[idx.numpy()], cfg))
            if not args.finetune_vit:
                tokens = tokens.half().float()  # the cache's float16, so either way trains on the same tokens
        if extra:
            tokens = torch.cat([tokens, non_scene_feats[torch.randint(0, len(non_scene_feats), (extra,), generator=g)].float()])
        with torch.set_grad_enabled(not polish):
            visual = model.vision.proj(model.vision.resampler(tokens))
        batch_objects = [objects[i] for i in idx.tolist()]
        loss = lm_loss(model, visual, batcher.build(batch_objects, extra), batcher.before, batcher.after)
        rec = {}
        if group_head is not None:
            targets = group_counts(batch_objects)
            loss_group = F.cross_entropy(group_head(visual[:args.s2_batch]).reshape(-1, 10), targets.reshape(-1))
            rec["loss_group"] = round(float(loss_group), 4)
            loss = loss + args.group_loss * loss_group
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            log({"stage": name, "step": step, "loss": round(float(loss), 4), **rec, "elapsed": round(time.time() - t0, 1)})
        stop = args.s2_stop_after and step + 1 == args.s2_stop_after
        if ((step + 1) % args.s2_ckpt_every == 0 or stop) and step + 1 < steps:
            save_whole({"model": model.state_dict(), "group_head": group_head.state_dict() if group_head else None,
                        "opt": opt.state_dict(), "generator": g.get_state(), "batcher_rng": batcher.rng.bit_generator.state,
                        "step": step + 1, "vocab": tok.vocab}, ckpt_path)
        if stop:
            return False
    model.eval()
    return True
