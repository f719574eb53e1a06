"""One row of the tokenizer study, from pre-training to its line in training/study/results.json:

  npm run study -- ROW            (PYTHONPATH=training python3 -m gvt.study.row ROW)

pre-trains the row's tokenizer (pretrain.py; the contrastive one first where it is the teacher),
trains the same stage 2 on it (the resampler, projection and LM on the first S2_IMAGES scenes of
the pool, template wording, the tokenizer frozen or, for the "tuned" rows, trained too), scores
it in PyTorch on N_PER_TASK fresh questions a task with 95 % intervals, probes the tokenizer
(probe.py) and writes the row. Every phase is kept under ROOT and a rerun goes on from the last.
"""

import argparse
import json
import os
import time

import torch

from ..alloc import keep_large_blocks
from ..data import make_dataset
from ..model import GVT
from ..export import export_package
from ..pyeval import evaluate
from ..quantize import quantize_package
from ..score import score_caption, score_count, score_identify, score_vqa
from ..scene_check import non_scene_pixels, train_scene_check
from ..stage2 import cache_features, stage2
from ..tokenizer import ByteWordTokenizer
from ..train import model_config, parser as train_parser, pickled
from .intervals import mean_interval, wilson
from .pretrain import METHODS, load_vit, pretrain
from .probe import probe
from .table import COLUMNS

# name: (method, pool multiple, stage 2)
ROWS = {name: (name, 1, "frozen") for name in METHODS}
ROWS.update({"mae-4x": ("mae", 4, "frozen"), "dino-4x": ("dino", 4, "frozen"),
             "clip-tuned": ("clip", 1, "tuned"), "gvt-tuned": ("gvt", 1, "tuned")})
TEACHER = "clip"
# How the app names each row's package (src/study/packages.ts lists the shipped ones by these names).
DISPLAY = {"supervised": "DeiT-style", "clip": "CLIP-style", "mae": "MAE", "dino": "DINO-style", "patch": "patch-label",
           "gvt": "GVT", "eva": "EVA-style"}
POOL, S2_IMAGES, S2_STEPS, N_PER_TASK, PROBE_IMAGES = 8000, 4000, 800, 2000, 1500
EVAL_SEED, PROBE_SEED = 4242, 4343


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("row", choices=list(ROWS))
    ap.add_argument("--root", default="training/runs/study")
    ap.add_argument("--results", default="training/study/results.json")
    ap.add_argument("--pool", type=int, default=POOL, help="pre-training scenes of a 1× row")
    ap.add_argument("--pretrain-steps", type=int, default=1000)
    ap.add_argument("--pretrain-batch", type=int, default=32)
    ap.add_argument("--s2-images", type=int, default=S2_IMAGES)
    ap.add_argument("--s2-steps", type=int, default=S2_STEPS)
    ap.add_argument("--n-per-task", type=int, default=N_PER_TASK)
    ap.add_argument("--probe-images", type=int, default=PROBE_IMAGES, help="two thirds fit the probes, one third scores them")
    ap.add_argument("--export", help="also write the row's package here (int8), as the app loads it")
    ap.add_argument("--log-every", type=int, default=100, help="pre-training steps between log lines")
    ap.add_argument("--arch", default="", help="train.py options for a smaller architecture (the smoke test's)")
    ap.add_argument("--data-workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    ap.add_argument("--tokenizers", default="training/study/tokenizers",
                    help="pre-trained ViTs kept in the repo, read instead of pre-training again")
    ap.add_argument("--again", action="store_true", help="run the row even if results.json holds it")
    return ap.parse_args(argv)


def pool(o, cfg, n, seed=0):
    """The first n clean scenes of seed 0 (the 1× pool is the start of the 4× one)."""
    name = f"data-s{seed}-{n}-{cfg.image_size}.pkl"
    return pickled(os.path.join(o.root, name), lambda: make_dataset(n, seed, cfg.image_size, cfg.grid, workers=o.data_workers))


def stage2_args(o, tuned):
    return train_parser().parse_args(["--run", "-", *o.arch.split(), "--s2-steps", str(o.s2_steps), "--s2-template", "1",
                                      "--s2-off-topic", "0", "--s2-non-scenes", "0", "--group-loss", "0", "--s2b-steps", "0",
                                      *(["--finetune-vit"] if tuned else [])])


def scores(items):
    """evaluate's items -> the row's scores and their 95 % intervals."""
    out, ci = {}, {}
    for task, fn in (("count", score_count), ("identify", score_identify), ("vqa", score_vqa)):
        right = [fn(it["output"], it["answer"]) for it in items if it["task"] == task]
        out[task], ci[task] = round(sum(right) / len(right), 4), wilson(sum(right), len(right))
    captions = [score_caption(it["output"], it["answer"]) for it in items if it["task"] == "caption"]
    exact = [c[0] for c in captions]
    out["caption_exact"], ci["caption_exact"] = round(sum(exact) / len(exact), 4), wilson(sum(exact), len(exact))
    f1 = [c[1] for c in captions]
    out["caption_f1"], ci["caption_f1"] = round(sum(f1) / len(f1), 4), mean_interval(f1)
    return out, ci


def budget(o, multiple, tuning):
    """What makes two runs of a row the same run."""
    return {"pretrain_images": o.pool * multiple, "pretrain_steps": o.pretrain_steps, "pretrain_batch": o.pretrain_batch,
            "stage2": tuning, "stage2_images": o.s2_images, "stage2_steps": o.s2_steps, "n_per_task": o.n_per_task}


def read_rows(path):
    return json.load(open(path)) if os.path.exists(path) else []


def recorded(o, multiple, tuning):
    """The row as results.json holds it, when it was run with this budget (a fresh clone need not run it again)."""
    rows = read_rows(o.results)
    want = budget(o, multiple, tuning)
    return next((r for r in rows if r["row"] == o.row and all(r.get(k) == v for k, v in want.items())), None)


def pretrained_vit(o, method, data, log, cfg, **kw):
    """A ViT kept in --tokenizers (those other rows build on, committed so a later session goes on from them), else
    pre-trained under --root."""
    kept = os.path.join(o.tokenizers, f"{method}-{len(data['pixels'])}.pt")
    if os.path.exists(kept):
        return kept
    return pretrain(method, data, os.path.join(o.root, f"pretrain-{method}-{len(data['pixels'])}"), log, cfg, **kw)


def write_row(path, row):
    rows = [r for r in read_rows(path) if r["row"] != row["row"]] + [row]
    rows.sort(key=lambda r: list(ROWS).index(r["row"]) if r["row"] in ROWS else len(ROWS))
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(rows, f, indent=2)
        f.write("\n")


def main(argv=None):
    o = options(argv)
    torch.set_num_threads(o.threads)
    keep_large_blocks()
    os.makedirs(o.root, exist_ok=True)
    method, multiple, tuning = ROWS[o.row]
    if not (o.again or o.export) and recorded(o, multiple, tuning):
        print(f"{o.row}: already in {o.results} with this budget (--again runs it anew)", flush=True)
        return
    run = os.path.join(o.root, o.row)
    os.makedirs(run, exist_ok=True)
    t0 = time.time()

    def log(rec):
        rec["wall"] = round(time.time() - t0, 1)
        print(json.dumps(rec), flush=True)
        with open(os.path.join(run, "log.jsonl"), "a") as f:
            f.write(json.dumps(rec) + "\n")

    tok = ByteWordTokenizer()
    cfg = model_config(train_parser().parse_args(["--run", "-", *o.arch.split()]), len(tok))
    data = pool(o, cfg, o.pool * multiple)
    steps = {"steps": o.pretrain_steps, "batch": o.pretrain_batch, "log_every": o.log_every}
    teacher = None
    if method in ("gvt", "eva"):
        base = data if multiple == 1 else pool(o, cfg, o.pool)
        teacher = pretrained_vit(o, TEACHER, base, log, cfg, **steps)
    vit_path = pretrained_vit(o, method, data, log, cfg, teacher_path=teacher, **steps)

    model = GVT(cfg)
    model.vision.vit.load_state_dict(load_vit(vit_path).state_dict())
    if os.path.exists(os.path.join(run, "model.pt")):
        model.load_state_dict(torch.load(os.path.join(run, "model.pt")))
    else:
        args = stage2_args(o, tuning == "tuned")
        n2 = o.s2_images
        model.vision.vit.eval()
        for p in model.vision.vit.parameters():
            p.requires_grad_(args.finetune_vit)
        feats = None if args.finetune_vit else cache_features(model.vision.vit, data["pixels"][:n2], cfg)
        stage2(model, feats, data["objects"][:n2], args, tok, log, os.path.join(run, "stage2-ckpt.pt"), pixels=data["pixels"][:n2])
        torch.save(model.state_dict(), os.path.join(run, "model.pt"))
    model.eval()
    done = os.path.join(run, "row.json")
    if os.path.exists(done):
        row = json.load(open(done))
    else:
        row = score_row(o, model, cfg, tok, data, method, tuning, t0)
        log({"phase": "row", **row})
        with open(done, "w") as f:
            json.dump(row, f)
    write_row(o.results, row)
    if o.export:
        export_row(o, model, tok, cfg, data, run, row, log)


def score_row(o, model, cfg, tok, data, method, tuning, t0):
    _, items = evaluate(model, tok, n=4 * o.n_per_task, seed=EVAL_SEED, return_items=True)
    result, ci = scores(items)
    probe_data = pool(o, cfg, o.probe_images, seed=PROBE_SEED)
    cut = 2 * o.probe_images // 3
    part = lambda a, b: {k: v[a:b] for k, v in probe_data.items()}
    for key, (right, n) in zip(("probe_image", "probe_patch"), probe(model.vision.vit, cfg, part(0, cut), part(cut, o.probe_images))):
        result[key], ci[key] = round(right / n, 4), wilson(right, n)
    row = {"row": o.row, "tokenizer": method, "method": METHODS[method], **budget(o, len(data["pixels"]) // o.pool, tuning),
           **result, "ci95": ci,
           "seconds": round(time.time() - t0, 1)}
    return row


def export_row(o, model, tok, cfg, data, run, row, log):
    """The row's package as the app loads it (int8), with a scene check trained on its frozen ViT (as GVT-tiny's is,
    apart from the row's scores) and a model card stating the row."""
    args = train_parser().parse_args(["--run", "-", *o.arch.split()])
    # Every row's check sees the same non-scenes, drawn once.
    non_scenes = lambda n: pickled(os.path.join(o.root, f"non-scenes-{n}-{cfg.image_size}.pkl"),
                                   lambda: non_scene_pixels(n, args.seed + 11, cfg.image_size))
    train_scene_check(model, data, args, log, os.path.join(run, "scene-check.pt"), non_scenes)
    fp32 = os.path.join(run, "package-fp32")
    name = f"Study: {DISPLAY[row['tokenizer']]} tokenizer" + (" (tuned)" if row["stage2"] == "tuned" else "")
    description = (f"A GVT-tiny-sized model from the tokenizer study: its ViT pre-trained by {row['method']}, "
                   f"{row['stage2']} under the study's stage 2 (template wording, Shapes World only).")
    export_package(model, tok, fp32, f"study-{row['row']}", name, description, max_new_tokens=48)
    quantize_package(fp32, o.export, "int8", "int8")
    with open(os.path.join(o.export, "README.md"), "w", encoding="utf-8") as f:
        f.write(model_card(name, row))


def model_card(name, row):
    scores = "\n".join(f"| {label} | {row[key]:.3f} | {row['ci95'][key][0]:.3f}-{row['ci95'][key][1]:.3f} |"
                       for key, label in COLUMNS)
    kept = "kept frozen" if row["stage2"] == "frozen" else "trained with the rest"
    paragraphs = [
        f"# {name}",
        f"One row of the tokenizer study in training/README.md (\"The tokenizer study\"), the paper's comparison of "
        f"visual tokenizers in miniature: row `{row['row']}`. Its ViT (GVT-tiny's architecture) was pre-trained by "
        f"{row['method']} for {row['pretrain_steps']} steps of {row['pretrain_batch']} images on "
        f"{row['pretrain_images']} Shapes World scenes, then {kept} while the resampler, projection and language model "
        f"learnt the study's stage 2: {row['stage2_steps']} steps on {row['stage2_images']} clean scenes, template "
        "wording only. Every row of the study shares that stage 2, so the rows differ only in their tokenizer.",
        "It knows only clean Shapes World renders asked in the task buttons' templates. Questions in your own words, "
        "photographed cards and photographs get guesses; GVT-tiny, the default model, handles those. Its scene check "
        "(a head trained on its ViT after the row was scored) says when an image is not a Shapes World scene.",
        f"## Its row: {row['n_per_task']} fresh questions a task, PyTorch fp32, 95 % intervals",
        "| score | value | 95 % interval |\n| --- | --- | --- |\n" + scores,
        "The probes are linear classifiers on the tokenizer alone: image-level (counts of each shape and colour) and "
        "patch-level (the label covering each patch). This package holds int8 weights; `npm run eval` scores it "
        "through the app's engine.",
    ]
    return "\n\n".join(paragraphs) + "\n"


if __name__ == "__main__":
    main()
