"""A small random-weight package plus PyTorch reference outputs, for testing the
TS engine end to end without a trained model.

  PYTHONPATH=training OMP_NUM_THREADS=2 /usr/bin/python3 tools/make_test_package.py --out DIR [--seed 0]

(from the repository root; `npm run test-package -- --out DIR` runs the same).
A test-only builder: it uses training/gvt's model and exporter but is no part
of training, so it lives in tools/.

Writes the package (manifest.json, three ONNX graphs, tokenizer files),
DIR/reference.png (exactly image.size px, so no resize is involved),
DIR/reference-wide.png (a 16:9 scene) with DIR/reference-wide-fitted.png (it
letterboxed to image.size by training/gvt/preprocess.py) and
DIR/reference.json (prompt ids, greedy ids, heads of pixel_values and
image_features, the scene check's score). Same seed, same bytes.
"""

import argparse
import json
import math
import os

import torch
from PIL import Image, ImageDraw

from gvt.export import TEMPLATE, export_package
from gvt.model import GVT, GVTConfig
from gvt.preprocess import fit
from gvt.reference import generate, pixel_values
from gvt.tokenizer import ByteWordTokenizer

QUESTIONS = ["How many stars are there in the image?", "Does a red circle exist in the image?"]
MAX_NEW_TOKENS = 12
# Long answers in the app, so a browser test can press Stop while one streams.
APP_MAX_NEW_TOKENS = 160


def test_config(vocab_size):
    return GVTConfig(image_size=64, patch_size=8, vit_width=64, vit_layers=2, vit_heads=2,
                     resampler_layers=1, resampler_heads=4, num_latents=32,
                     lm_width=128, lm_layers=2, lm_heads=4, lm_mlp_ratio=4,
                     vocab_size=vocab_size, max_positions=256)


def reference_image(size):
    """Flat shapes, no anti-aliasing, on a light background: a Shapes World scene."""
    img = Image.new("RGB", (size, size), (232, 230, 226))
    d = ImageDraw.Draw(img)
    u = size / 64
    d.ellipse([8 * u, 8 * u, 22 * u, 22 * u], fill=(220, 40, 40))
    d.rectangle([40 * u, 8 * u, 52 * u, 20 * u], fill=(50, 90, 230))
    d.polygon([(12 * u, 52 * u), (26 * u, 52 * u), (19 * u, 40 * u)], fill=(40, 180, 60))
    for cx, cy in ((38, 40), (52, 50)):
        pts = [(cx * u + (7 if k % 2 == 0 else 3.2) * u * math.sin(k * math.pi / 5),
                cy * u - (7 if k % 2 == 0 else 3.2) * u * math.cos(k * math.pi / 5)) for k in range(10)]
        d.polygon(pts, fill=(235, 215, 40))
    return img


def build(seed, tok, pixels_for):
    """Random model for the seed. A random LM may pick EOS or a newline first and
    answer nothing, which tests little; then the lm head rows of those tokens are
    zeroed (their logits become exactly 0 while the others spread around 0) and
    reference.json says "lm_head_adjusted": true. Seed 0 needs no adjustment.
    The reference ids always come from the real greedy loop afterwards."""
    torch.manual_seed(seed)
    model = GVT(test_config(len(tok))).eval()
    pixels = pixels_for(model.cfg)
    stops_at_once = lambda r: r["stop_reason"] != "max_tokens" and len(r["generated_ids"]) <= 1
    if any(stops_at_once(generate(model, tok, pixels, q, TEMPLATE, MAX_NEW_TOKENS)[0]) for q in QUESTIONS):
        newline = [i for t, i in tok.vocab.items() if "Ċ" in t]  # "\n" as a byte-level character
        with torch.no_grad():
            model.lm.head.weight[[tok.eos_id] + newline] = 0.0
        return model, True
    return model, False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS", "2"))))

    tok = ByteWordTokenizer()
    image_for = lambda cfg: reference_image(cfg.image_size)
    pixels_for = lambda cfg: pixel_values(image_for(cfg), cfg.image_size, cfg.mean, cfg.std)
    model, adjusted = build(args.seed, tok, pixels_for)
    cfg = model.cfg
    image, pixels = image_for(cfg), pixels_for(cfg)

    answers = []
    for q in QUESTIONS:
        result, features = generate(model, tok, pixels, q, TEMPLATE, MAX_NEW_TOKENS)
        answers.append({"question": q, **result})

    manifest = export_package(model, tok, args.out, f"gvt-test-random-seed{args.seed}", "GVT test (random weights)",
                              f"Random-weight test package (seed {args.seed}); outputs are gibberish by design.",
                              max_new_tokens=APP_MAX_NEW_TOKENS)
    image.save(os.path.join(args.out, "reference.png"))
    wide = Image.new("RGB", (cfg.image_size * 16 // 9, cfg.image_size), (232, 230, 226))
    wide.paste(image, ((wide.width - image.width) // 2, 0))
    wide.save(os.path.join(args.out, "reference-wide.png"))
    fit(wide, cfg.image_size)[0].save(os.path.join(args.out, "reference-wide-fitted.png"))
    with torch.no_grad():
        scene_score = float(model.vision.both(pixels)[1][0])
    reference = {
        "image": "reference.png",
        "seed": args.seed,
        "config": cfg.to_dict(),
        "max_new_tokens": MAX_NEW_TOKENS,
        "stop_strings": manifest["tokens"]["stop_strings"],
        "eos_id": tok.eos_id,
        "lm_head_adjusted": adjusted,
        "pixel_values_head": [float(v) for v in pixels.flatten()[:8]],
        "image_features_head": [float(v) for v in features.flatten()[:8]],
        "scene_score": scene_score,
        "answers": answers,
    }
    with open(os.path.join(args.out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=2)
    total = sum(e["bytes"] for e in manifest["files"].values())
    print(f"wrote {args.out}: {total / 1e6:.2f} MB in package files")
    for a in answers:
        print(f"  {a['question']!r} -> {a['generated_ids']} {a['text']!r} ({a['stop_reason']}, margin {a['min_top2_margin']:.4f})")


if __name__ == "__main__":
    main()
