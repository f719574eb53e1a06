"""Writes a Shapes World evaluation folder in the spec's format:

  npm run eval:make -- --out DIR --n N --seed S [--paraphrase] [--photo] [--aspect R]

DIR/questions.jsonl (N questions), DIR/images/*.png, DIR/scenes.jsonl. Each
image gets one question of every task in turn (count, identify, vqa, caption),
so N/4 images; half are rendered at 256 px, half at a random size 257-512 px
(the model resizes, so this checks resize robustness).

--paraphrase  questions worded as visitors type them, from the held-out part of
              the phrasing grammar (phrasing.py: never trained on); the app
              sends them through its free-question path, and so does npm run eval
--photo       photographed cards (photo.py, the spec's ranges)
--claims      every question a Yes/No check of a claim ("is the star yellow?", "are
              there 3 circles?"), worded from the held-out part of phrasing.claim's
              grammar and scored as identify
--aspect R    canvases R times as high as wide (0.5625 is 16:9, 1.333 is 3:4),
              the objects anywhere on them; widths as above
--scale S     objects S times the spec's size (0.5 to 2: beyond the spec, as
              visitors' drawings are)
"""

import argparse
import json
import os

import numpy as np

from .photo import SPEC, photograph
from .phrasing import ask, claim
from .shapes import TASKS, question_for, random_scene, render, scene_record


def make_eval_set(out, n, seed, per_image=4, paraphrase=False, photo=False, aspect=1.0, scale=1.0, claims=False):
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(out, "images"), exist_ok=True)
    questions, scenes = [], []
    q = 0
    img = 0
    while q < n:
        img += 1
        scene = random_scene(rng, aspect=aspect, scale=scale)
        size = 256 if rng.random() < 0.5 else int(rng.integers(257, 513))
        path = f"images/{img:06d}.png"
        image = photograph(scene, size, rng, SPEC)[0] if photo else render(scene, size, rng)
        image.save(os.path.join(out, path))
        scenes.append(scene_record(scene, path))
        for k in range(per_image):
            if q >= n:
                break
            task = TASKS[(img - 1 + k) % 4] if per_image < 4 else TASKS[k]
            if claims:
                task = "identify"
                question, answer = claim(scene, rng, "heldout")
            else:
                question, answer = ask(task, scene, rng, "heldout") if paraphrase else question_for(task, scene, rng)
            q += 1
            questions.append({"id": f"q{q:06d}", "image": path, "task": task, "question": question, "answer": answer,
                              "num_objects": len(scene["objects"])})
    with open(os.path.join(out, "questions.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(x) + "\n" for x in questions)
    with open(os.path.join(out, "scenes.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(json.dumps(x) + "\n" for x in scenes)
    return questions


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--paraphrase", action="store_true", help="questions from the held-out phrasings")
    ap.add_argument("--photo", action="store_true", help="photographed cards")
    ap.add_argument("--claims", action="store_true", help="Yes/No checks of claims, held-out wording")
    ap.add_argument("--aspect", type=float, default=1.0, help="canvas height / width")
    ap.add_argument("--scale", type=float, default=1.0, help="object size relative to the spec's")
    args = ap.parse_args()
    qs = make_eval_set(args.out, args.n, args.seed, paraphrase=args.paraphrase, photo=args.photo, aspect=args.aspect, scale=args.scale,
                        claims=args.claims)
    print(f"wrote {len(qs)} questions on {len({q['image'] for q in qs})} images to {args.out}")


if __name__ == "__main__":
    main()
