"""Training data: Shapes World scenes rendered as the eval sets are (a canvas of
256 px or a random size, then resized to the model's input with PIL bilinear,
as the engine resizes), with patch-level targets from the scene geometry.

Two mixes: "clean" is the spec's scenes only (stage 1's parts 1 and 2);
"world" adds what visitors show the model (`WORLD_MIX`): objects from half to
twice the spec's size, canvases from 1:2 to 2:1 (letterboxed as the engine
does) and photographed cards (photo.py's TRAIN ranges).

Per image: pixels uint8 [S,S,3]; `cover` uint8 [G*G, 25] pixel counts per
patch of each label (0 background, 1 + shape*6 + colour); `centre` uint8
[G*G] the label of the object whose centre lies in the patch (0 none); the
objects as (shape index, colour index) pairs for the language tasks.
"""

import multiprocessing as mp

import numpy as np
from PIL import Image

from .photo import TRAIN, photograph
from .preprocess import fit
from .shapes import COLORS, SHAPES, label_image, label_map, random_scene, render

NUM_LABELS = 1 + len(SHAPES) * len(COLORS)
WORLD_MIX = {"clean": 0.3, "sized": 0.2, "aspect": 0.15, "photo": 0.35}


def canvas_size(rng):
    return 256 if rng.random() < 0.4 else int(rng.integers(200, 521))


def targets(labels, centres, scene, grid):
    """labels [S,S] uint8, centres (x, y) fractions per object -> cover [G*G, 25], centre [G*G], objects."""
    size = labels.shape[0]
    p = size // grid
    onehot = np.zeros((size, size, NUM_LABELS), np.uint8)
    np.put_along_axis(onehot, labels[..., None].astype(np.int64), 1, axis=2)
    cover = onehot.reshape(grid, p, grid, p, NUM_LABELS).sum((1, 3)).reshape(grid * grid, NUM_LABELS)
    centre = np.zeros(grid * grid, np.uint8)
    objs = []
    for o, (x, y) in zip(scene["objects"], centres):
        s, c = SHAPES.index(o["shape"]), COLORS.index(o["color"])
        gx, gy = min(grid - 1, max(0, int(x * grid))), min(grid - 1, max(0, int(y * grid)))
        centre[gy * grid + gx] = 1 + s * 6 + c
        objs.append((s, c))
    return cover.astype(np.uint8), centre, objs


def sample(rng, size, grid):
    """A spec scene (the clean mix)."""
    scene = random_scene(rng)
    canvas = canvas_size(rng)
    img = render(scene, canvas, rng, supersample=2)
    if canvas != size:
        img = img.resize((size, size), Image.BILINEAR)
    centres = [(o["cx"], o["cy"]) for o in scene["objects"]]
    return (np.asarray(img, np.uint8), *targets(label_map(scene, size), centres, scene, grid))


def world_sample(rng, size, grid):
    """One image of the world mix, drawn as the engine will see it (letterboxed to size)."""
    kind = rng.choice(list(WORLD_MIX), p=list(WORLD_MIX.values()))
    if kind == "clean":
        return sample(rng, size, grid)
    if kind == "photo":
        scene = random_scene(rng, scale=float(np.exp(rng.uniform(np.log(0.6), np.log(1.6)))))
        img, labels, centres = photograph(scene, int(rng.integers(160, 321)), rng, TRAIN)
        img = img.resize((size, size), Image.BILINEAR)
        labels = labels.resize((size, size), Image.NEAREST)
        return (np.asarray(img, np.uint8), *targets(np.asarray(labels), centres, scene, grid))
    scale = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
    aspect = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0)))) if kind == "aspect" else 1.0
    if kind == "aspect":
        scale = min(scale, 1.4)
    scene = random_scene(rng, scale=scale, aspect=aspect)
    canvas = canvas_size(rng)
    img, (x, y, w, h) = fit(render(scene, canvas, rng, supersample=2), size)
    labels = Image.new("L", (size, size), 0)
    labels.paste(label_image(scene, w), (x, y))
    centres = [((x + o["cx"] * w) / size, (y + o["cy"] * w) / size) for o in scene["objects"]]
    return (np.asarray(img, np.uint8), *targets(np.asarray(labels), centres, scene, grid))


SAMPLERS = {"clean": sample, "world": world_sample}


def _chunk(args):
    seed, n, size, grid, mix = args
    rng = np.random.default_rng(seed)
    out = [SAMPLERS[mix](rng, size, grid) for _ in range(n)]
    return (np.stack([o[0] for o in out]), np.stack([o[1] for o in out]), np.stack([o[2] for o in out]),
            [o[3] for o in out])


def make_dataset(n, seed, size, grid, workers=2, chunk=500, mix="clean"):
    """Deterministic for (n, seed, size, grid, chunk, mix) whatever the number of workers."""
    base = seed * 100003 + (0 if mix == "clean" else 7_000_000)
    jobs = [(base + i, min(chunk, n - i * chunk), size, grid, mix) for i in range((n + chunk - 1) // chunk)]
    if workers > 1:
        with mp.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_chunk, jobs)
    else:
        parts = [_chunk(j) for j in jobs]
    return {
        "pixels": np.concatenate([p[0] for p in parts]),
        "cover": np.concatenate([p[1] for p in parts]),
        "centre": np.concatenate([p[2] for p in parts]),
        "objects": [o for p in parts for o in p[3]],
    }


def as_scene(objs):
    """(shape, colour) index pairs -> the objects list that shapes.question_for reads."""
    return {"objects": [{"shape": SHAPES[s], "color": COLORS[c]} for s, c in objs]}
