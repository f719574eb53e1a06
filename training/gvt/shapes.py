"""Shapes World, as its data spec (kept outside this repository) defines it:
scenes, rendering, questions, answers.

Every coordinate is a fraction of the canvas width W, so one scene renders at
any size. `random_scene(rng)` samples a scene, `render(scene, size)` draws it,
`questions(scene, rng)` / `question_for(task, scene, rng)` ask the four tasks
with their exact templates, `caption(objects)` is the canonical caption.
"""

import math

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ["circle", "square", "triangle", "star"]
COLORS = ["red", "orange", "yellow", "green", "blue", "purple"]
BASE_RGB = {
    "red": (220, 40, 40), "orange": (245, 140, 30), "yellow": (235, 215, 40),
    "green": (40, 180, 60), "blue": (50, 90, 230), "purple": (150, 60, 200),
}
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TASKS = ["count", "identify", "vqa", "caption"]
CAPTION_PROMPT = "Describe the image in detail in a sentence: This is an image of"
R_MIN, R_MAX, GAP = 0.045, 0.085, 0.01
JITTER = 20
MAX_NOISE = 8.0


# ---------------------------------------------------------------- geometry

def outline(obj):
    """Polygon vertices (fractions of W) of a non-circle object; None for a circle."""
    cx, cy, r, rot = obj["cx"], obj["cy"], obj["r"], obj.get("rot", 0.0)
    if obj["shape"] == "circle":
        return None
    if obj["shape"] == "square":
        h = 0.7 * r  # side 1.4 r
        corners = [(-h, -h), (h, -h), (h, h), (-h, h)]
    elif obj["shape"] == "triangle":
        corners = [(r * math.sin(2 * math.pi * k / 3), -r * math.cos(2 * math.pi * k / 3)) for k in range(3)]
    else:  # star: five points, inner radius 0.45 r
        corners = [((r if k % 2 == 0 else 0.45 * r) * math.sin(math.pi * k / 5),
                    -(r if k % 2 == 0 else 0.45 * r) * math.cos(math.pi * k / 5)) for k in range(10)]
    c, s = math.cos(rot), math.sin(rot)
    return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in corners]


def bbox(obj):
    pts = outline(obj)
    if pts is None:
        return obj["cx"] - obj["r"], obj["cy"] - obj["r"], obj["cx"] + obj["r"], obj["cy"] + obj["r"]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def _apart(a, b):
    """Bounding boxes keep a gap of at least GAP (so the objects cannot overlap either)."""
    return a[2] + GAP <= b[0] or b[2] + GAP <= a[0] or a[3] + GAP <= b[1] or b[3] + GAP <= a[1]


# ---------------------------------------------------------------- scenes

def _jitter_color(rng, name):
    return tuple(int(np.clip(c + rng.integers(-JITTER, JITTER + 1), 0, 255)) for c in BASE_RGB[name])


def _background(rng):
    lo, hi = (0, 60) if rng.random() < 0.5 else (195, 255)
    while True:
        rgb = rng.integers(lo, hi + 1, size=3)
        if rgb.max() - rgb.min() <= 15:
            return tuple(int(v) for v in rgb)


def random_scene(rng, n=None, max_tries=2000, scale=1.0, aspect=1.0):
    """A scene dict: objects (shape, color, rgb, cx, cy, r, rot), background, noise, antialias.

    scale multiplies the spec's radius range (training goes beyond it); aspect is the
    canvas height / width (coordinates stay fractions of the width). When `n` objects of
    that size cannot be placed, the size shrinks until they can. The defaults draw
    exactly the spec's scenes, with the same random numbers as always."""
    n = int(rng.integers(1, 10)) if n is None else n
    while True:
        objects, boxes = [], []
        for _ in range(max_tries):
            if len(objects) == n:
                break
            shape = SHAPES[rng.integers(4)]
            r = float(rng.uniform(R_MIN, R_MAX)) * scale
            if shape == "square":
                rot = float(rng.uniform(-math.pi / 12, math.pi / 12))
            elif shape == "circle":
                rot = 0.0
            else:
                rot = float(rng.uniform(0, 2 * math.pi))
            cand = {"shape": shape, "cx": float(rng.uniform(r, 1 - r)), "cy": float(rng.uniform(r, aspect - r)), "r": r, "rot": rot}
            box = bbox(cand)
            if box[0] < 0 or box[1] < 0 or box[2] > 1 or box[3] > aspect:
                continue
            if all(_apart(box, b) for b in boxes):
                color = COLORS[rng.integers(6)]
                cand["color"] = color
                cand["rgb"] = _jitter_color(rng, color)
                objects.append(cand)
                boxes.append(box)
        if len(objects) == n:
            break
        if scale > 1.0 or (aspect < 1.0 and scale > 0.5):
            scale *= 0.9
    scene = {
        "objects": objects,
        "background": _background(rng),
        "noise": float(rng.uniform(0, MAX_NOISE)) if rng.random() < 0.5 else 0.0,
        "antialias": bool(rng.random() < 0.5),
    }
    if aspect != 1.0:
        scene["aspect"] = aspect
    return scene


def canvas_px(scene, width):
    """(width, height) in pixels of a scene drawn `width` px wide."""
    return width, max(1, int(round(width * scene.get("aspect", 1.0))))


def _draw(draw, scene, width, fill_of, outline_of=outline):
    for obj in scene["objects"]:
        pts = outline_of(obj)
        if pts is None:
            cx, cy, r = obj["cx"] * width, obj["cy"] * width, obj["r"] * width
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill_of(obj))
        else:
            draw.polygon([(x * width, y * width) for x, y in pts], fill=fill_of(obj))


def render(scene, size, rng=None, supersample=4, outline_of=outline, background=None):
    """PIL RGB image `size` px wide (square unless the scene has an aspect). Noise needs rng
    (a numpy Generator). outline_of draws other outlines (photo.py's hand-cut ones)."""
    aa = scene.get("antialias", False)
    k = supersample if aa else 1
    w, h = canvas_px(scene, size)
    img = Image.new("RGB", (w * k, h * k), tuple(background or scene["background"]))
    _draw(ImageDraw.Draw(img), scene, w * k, lambda o: tuple(o["rgb"]), outline_of)
    if k > 1:
        img = img.resize((w, h), Image.BOX)
    if scene.get("noise", 0) > 0:
        if rng is None:
            rng = np.random.default_rng(0)
        arr = np.asarray(img, dtype=np.float32) + rng.normal(0, scene["noise"], (h, w, 3)).astype(np.float32)
        img = Image.fromarray(np.clip(np.round(arr), 0, 255).astype(np.uint8))
    return img


def label_value(obj):
    return 1 + SHAPES.index(obj["shape"]) * 6 + COLORS.index(obj["color"])


def label_image(scene, size, outline_of=outline):
    """PIL "L" label map `size` px wide: 0 background, else label_value, drawn without anti-aliasing."""
    img = Image.new("L", canvas_px(scene, size), 0)
    _draw(ImageDraw.Draw(img), scene, size, label_value, outline_of)
    return img


def label_map(scene, size):
    """[size, size] uint8 label map of a square scene (see label_image)."""
    return np.asarray(label_image(scene, size))


# ---------------------------------------------------------------- language

def plural(shape):
    return shape + "s"


def article(words):
    return "an" if words[0] in "aeiou" else "a"


def phrase(color, shape):
    """Object phrase: [colour] shape|object (shape None means `object`)."""
    noun = shape or "object"
    return f"{color} {noun}" if color else noun


def matches(obj, color, shape):
    return (color is None or obj["color"] == color) and (shape is None or obj["shape"] == shape)


def count_question(color, shape):
    return f"How many {plural(phrase(color, shape))} are there in the image?"


def identify_question(color, shape):
    words = phrase(color, shape)
    return f"Does {article(words)} {words} exist in the image?"


def caption(objects):
    """Canonical caption: groups by (colour, shape), largest first, ties by shape then colour order."""
    groups = {}
    for o in objects:
        key = (o["color"], o["shape"])
        groups[key] = groups.get(key, 0) + 1
    order = sorted(groups.items(), key=lambda kv: (-kv[1], SHAPES.index(kv[0][1]), COLORS.index(kv[0][0])))
    parts = [f"{NUMBER_WORDS[n]} {c} {s + 's' if n > 1 else s}" for (c, s), n in order]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text + "."


PHRASE_KINDS = ["shape", "color", "color_shape", "objects"]


def _phrase_of_kind(kind, color, shape):
    return {"shape": (None, shape), "color": (color, None), "color_shape": (color, shape), "objects": (None, None)}[kind]


def question_for(task, scene, rng):
    """(question, answer) for a task; answers as the spec writes them (digits, `Yes.`/`No.`, words, caption)."""
    objs = scene["objects"]
    if task == "count":
        kind = PHRASE_KINDS[rng.integers(4)]
        if rng.random() < 0.8:  # about something in the scene
            o = objs[rng.integers(len(objs))]
            color, shape = _phrase_of_kind(kind, o["color"], o["shape"])
        else:  # anything, possibly absent (answer 0)
            color, shape = _phrase_of_kind(kind, COLORS[rng.integers(6)], SHAPES[rng.integers(4)])
        n = sum(matches(o, color, shape) for o in objs)
        return count_question(color, shape), str(n)
    if task == "identify":
        if rng.random() < 0.5:  # Yes
            o = objs[rng.integers(len(objs))]
            kind = PHRASE_KINDS[rng.integers(4)] if rng.random() < 0.05 else PHRASE_KINDS[rng.integers(3)]
            color, shape = _phrase_of_kind(kind, o["color"], o["shape"])
            return identify_question(color, shape), "Yes."
        kinds = list(PHRASE_KINDS[:3])
        rng.shuffle(kinds)
        for kind in kinds:  # No: an absent phrase; some kinds may have none (all shapes present)
            cands = sorted({_phrase_of_kind(kind, c, s) for c in COLORS for s in SHAPES})
            absent = [p for p in cands if not any(matches(o, *p) for o in objs)]
            if absent:
                color, shape = absent[rng.integers(len(absent))]
                return identify_question(color, shape), "No."
        raise AssertionError("some colour+shape is always absent")
    if task == "vqa":
        shapes = [o["shape"] for o in objs]
        colors = [o["color"] for o in objs]
        options = ["colors"]
        uniq_shapes = [s for s in SHAPES if shapes.count(s) == 1]
        uniq_colors = [c for c in COLORS if colors.count(c) == 1]
        if uniq_shapes:
            options.append("color_of")
        if uniq_colors:
            options.append("shape_of")
        pick = options[rng.integers(len(options))]
        if pick == "color_of":
            s = uniq_shapes[rng.integers(len(uniq_shapes))]
            return f"Question: What color is the {s}? Answer:", next(o["color"] for o in objs if o["shape"] == s)
        if pick == "shape_of":
            c = uniq_colors[rng.integers(len(uniq_colors))]
            return f"Question: What shape is the {c} object? Answer:", next(o["shape"] for o in objs if o["color"] == c)
        return "Question: How many colors are there? Answer:", str(len(set(colors)))
    if task == "caption":
        return CAPTION_PROMPT, caption(objs)
    raise ValueError(task)


def scene_record(scene, image_path):
    """The scenes.jsonl line for a scene."""
    return {"image": image_path, "objects": [
        {"shape": o["shape"], "color": o["color"], "cx": round(o["cx"], 5), "cy": round(o["cy"], 5), "r": round(o["r"], 5),
         "rot": round(o["rot"], 5), "rgb": list(o["rgb"])} for o in scene["objects"]],
        "background": list(scene["background"]), "noise": round(scene["noise"], 3), "antialias": scene["antialias"]}
