"""Exports a trained run to a package and quantizes it:

  python3 -m gvt.ship --run training/runs/NAME --out public/models/gvt-tiny [--vision int8 --lm int4]

RUN/package-fp32/ gets the fp32 export (kept for before/after comparisons);
OUT gets the quantized package (OUT/README.md, the model card, is left alone).
"""

import argparse
import json
import os

from .export import SCENE_THRESHOLD, export_package
from .model import load_model
from .quantize import quantize_package
from .tokenizer import ByteWordTokenizer

DESCRIPTION = ("GVT-tiny: a small GVT (ViT tokenizer pre-trained with patch-level targets, perceiver resampler, "
               "decoder LM) trained from scratch on Shapes World. It counts, identifies and describes flat coloured "
               "shapes, rendered or on a photographed card, asked in its templates or in a visitor's own words; it "
               "knows nothing about photographs, and its scene check says when an image is not a Shapes World scene.")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vision", choices=["fp32", "int8", "int4"], default="int8")
    ap.add_argument("--lm", choices=["fp32", "int8", "int4"], default="int8")
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--scene-threshold", type=float, default=SCENE_THRESHOLD,
                    help="scene score below which the app says an image is no Shapes World scene (a run's own "
                         "calibration: training/README.md, \"The scene check's threshold\")")
    args = ap.parse_args()
    model = load_model(args.run)
    tok = ByteWordTokenizer()
    fp32 = os.path.join(args.run, "package-fp32")
    export_package(model, tok, fp32, "gvt-tiny", "GVT-tiny", DESCRIPTION, max_new_tokens=args.max_new_tokens,
                   scene_threshold=args.scene_threshold)
    manifest, counts = quantize_package(fp32, args.out, args.vision, args.lm, cpu_vision=True)
    sizes = {
        "fp32_bytes": sum(e["bytes"] for e in json.load(open(os.path.join(fp32, "manifest.json")))["files"].values()),
        "quantized_bytes": sum(e["bytes"] for e in manifest["files"].values()),
        "vision": args.vision, "lm": args.lm, "quantized_matmuls": counts,
    }
    print(json.dumps(sizes))


if __name__ == "__main__":
    main()
