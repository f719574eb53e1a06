"""A check of phrasings from neither part of the grammar, written on 3 December
before that day's grammar additions and kept out of them (training/README.md,
"Questions inside a sentence"): never add these frames to phrasing.py, or the
check measures nothing held out.

  PYTHONPATH=training python3 -m gvt.fresh_probe --from DIR --out DIR [--seed 7]
  npm run eval -- --data OUT

DIR is any evaluation folder (its scenes.jsonl and images/; the README's figures
use the Chromium canvas renderer's 100 scenes). Each scene gets a count, an
identify and, where the scene has a shape or a colour only once, a vqa question.
"""

import argparse
import json
import os
import random
import shutil

from .shapes import COLORS, SHAPES

COUNT = ["How many {p} r there", "how many {p} can u see", "Count every {s} you can find.",
         "what number of {p} are in the picture?", "How many {p} are there on this", "{p}? how many",
         "how many {p} total", "So how many {p} are there?", "Please tell me the number of {p}.",
         "How many {p} does this have?", "Can you count how many {p} there are?", "how many {p} are in there",
         "How many {p} do I see?", "count {p} pls", "Number of {p} please?", "How many {p} have been drawn?"]
IDENTIFY = ["Is {a} in the picture?", "do you notice {a}?", "Is there {a} anywhere?", "Any {p} in there?",
            "Is there {a} on this card", "is there {a} or no", "can you see any {p}", "Are there {p} in this?",
            "Do I see any {p}?", "Does this have {a}?", "Is there at least one {s}?", "Have you got {a}?", "{a}?",
            "Look for {a}.", "Is any {s} there?"]
COLOR_OF = ["Which colour is the {s} in the picture?", "What is the {s}'s color?", "what colour's the {s}",
            "The {s} - what colour?", "What color would you call the {s}?", "What colour is that {s} there?",
            "colour of {s}?", "What is the color of that {s}"]
SHAPE_OF = ["What shape is {c}?", "the {c} shape, what is it?", "What's the {c} one?", "Which shape is coloured {c}?",
            "what is the {c} thing", "Tell me which shape is {c}.", "The {c} object is which shape?",
            "What kind of shape is {c}?"]


def _article(words):
    return ("an " if words[0] in "aeiou" else "a ") + words


def questions_for(scene, rng):
    """(task, question, answer) triples for one scene."""
    objs = scene["objects"]
    out = []
    r = rng.random()
    if r < 0.4:
        shape = rng.choice(SHAPES)
        n, plural, single = sum(o["shape"] == shape for o in objs), shape + "s", shape
    elif r < 0.7:
        color, shape = rng.choice(COLORS), rng.choice(SHAPES)
        n = sum(o["shape"] == shape and o["color"] == color for o in objs)
        plural, single = f"{color} {shape}s", f"{color} {shape}"
    else:
        n, plural = len(objs), rng.choice(["objects", "shapes", "things"])
        single = plural[:-1]
    out.append(("count", rng.choice(COUNT).format(p=plural, s=single), str(n)))
    if rng.random() < 0.5:
        o = rng.choice(objs)
        color, shape = o["color"], o["shape"]
    else:
        color, shape = rng.choice(COLORS), rng.choice(SHAPES)
    present = any(o["shape"] == shape and o["color"] == color for o in objs)
    frame = rng.choice(IDENTIFY)
    out.append(("identify", frame.format(a=_article(f"{color} {shape}"), p=f"{color} {shape}s", s=f"{color} {shape}"),
                "Yes." if present else "No."))
    single_shape = [o for o in objs if sum(x["shape"] == o["shape"] for x in objs) == 1]
    single_color = [o for o in objs if sum(x["color"] == o["color"] for x in objs) == 1]
    if single_shape and (not single_color or rng.random() < 0.5):
        o = rng.choice(single_shape)
        out.append(("vqa", rng.choice(COLOR_OF).format(s=o["shape"]), o["color"]))
    elif single_color:
        o = rng.choice(single_color)
        out.append(("vqa", rng.choice(SHAPE_OF).format(c=o["color"]), o["shape"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    shutil.copytree(os.path.join(args.src, "images"), os.path.join(args.out, "images"), dirs_exist_ok=True)
    shutil.copy(os.path.join(args.src, "scenes.jsonl"), args.out)
    rows = []
    with open(os.path.join(args.src, "scenes.jsonl")) as f:
        for line in f:
            scene = json.loads(line)
            for task, question, answer in questions_for(scene, rng):
                rows.append({"id": f"p{len(rows) + 1:05d}", "image": scene["image"], "task": task, "question": question,
                             "answer": answer, "num_objects": len(scene["objects"])})
    with open(os.path.join(args.out, "questions.jsonl"), "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    print(f"{len(rows)} questions about {len({r['image'] for r in rows})} images in {args.out}")


if __name__ == "__main__":
    main()
