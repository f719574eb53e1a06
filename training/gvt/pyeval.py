"""Fast fp32 scores in PyTorch (batched greedy decoding with a KV cache), on
fresh scenes made like make_eval_set's: for picking settings while training.
The reference numbers are those of `npm run eval`, through the TS engine."""

import numpy as np
import torch
from PIL import Image

from .score import score_caption, score_count, score_identify, score_vqa
from .photo import SPEC, photograph
from .phrasing import ask
from .shapes import TASKS, question_for, random_scene, render
from .stage2 import free_prompt
from .pixels import to_pixels


def make_items(n, seed, size, paraphrase=False, photo=False):
    """Like make_eval_set's sets; paraphrase: held-out phrasings sent as the app sends typed text."""
    rng = np.random.default_rng(seed)
    pixels, items = [], []
    while len(items) < n:
        scene = random_scene(rng)
        canvas = 256 if rng.random() < 0.5 else int(rng.integers(257, 513))
        img = photograph(scene, canvas, rng, SPEC)[0] if photo else render(scene, canvas, rng)
        pixels.append(np.asarray(img.resize((size, size), Image.BILINEAR), np.uint8))
        for task in TASKS:
            if paraphrase:
                q, a = ask(task, scene, rng, "heldout")
                q = free_prompt(q)
            else:
                q, a = question_for(task, scene, rng)
            items.append({"img": len(pixels) - 1, "task": task, "question": q, "answer": a, "n": len(scene["objects"])})
    return np.stack(pixels), items[:n]


@torch.no_grad()
def greedy(model, tok, visual, questions, max_new=48):
    """visual [M,32,D] per question; questions of equal token length. Returns decoded texts."""
    lm = model.lm
    m = visual.shape[0]
    before, after = tok.encode("<Img>"), tok.encode("</Img>")
    q_ids = torch.tensor([tok.encode(q) for q in questions])
    emb = lambda ids: lm.embed(torch.as_tensor(ids))
    x = torch.cat([emb(before)[None].expand(m, -1, -1), visual, emb(after)[None].expand(m, -1, -1), emb(q_ids)], 1)
    past = lm.empty_past(m)
    pos0 = 0
    out = torch.zeros(m, 0, dtype=torch.long)
    done = torch.zeros(m, dtype=torch.bool)
    for _ in range(max_new):
        t = x.shape[1]
        logits, past = lm(x, torch.ones(m, pos0 + t, dtype=torch.long), torch.arange(pos0, pos0 + t)[None].expand(m, -1), past)
        pos0 += t
        nxt = logits[:, -1].argmax(-1)
        nxt = torch.where(done, torch.full_like(nxt, tok.eos_id), nxt)
        done |= nxt == tok.eos_id
        out = torch.cat([out, nxt[:, None]], 1)
        if done.all():
            break
        x = emb(nxt[:, None])
    texts = []
    for row in out.tolist():
        ids = row[:row.index(tok.eos_id)] if tok.eos_id in row else row
        texts.append(tok.decode(ids).split("\n")[0])
    return texts


@torch.no_grad()
def evaluate(model, tok, n=800, seed=999, batch=256, return_items=False, paraphrase=False, photo=False):
    model.eval()
    cfg = model.cfg
    pixels, items = make_items(n, seed, cfg.image_size, paraphrase, photo)
    visual = torch.cat([model.vision(to_pixels(pixels[i:i + 128], cfg)) for i in range(0, len(pixels), 128)])
    groups = {}
    for it in items:
        groups.setdefault(len(tok.encode(it["question"])), []).append(it)
    for group in groups.values():
        for i in range(0, len(group), batch):
            chunk = group[i:i + batch]
            texts = greedy(model, tok, visual[[it["img"] for it in chunk]], [it["question"] for it in chunk])
            for it, text in zip(chunk, texts):
                it["output"] = text
    res = {}
    for task in TASKS:
        sel = [it for it in items if it["task"] == task]
        if task == "caption":
            sc = [score_caption(it["output"], it["answer"]) for it in sel]
            res["caption_exact"] = round(float(np.mean([s[0] for s in sc])), 4)
            res["caption_f1"] = round(float(np.mean([s[1] for s in sc])), 4)
        else:
            fn = {"count": score_count, "identify": score_identify, "vqa": score_vqa}[task]
            res[task] = round(float(np.mean([fn(it["output"], it["answer"]) for it in sel])), 4)
    return (res, items) if return_items else res
