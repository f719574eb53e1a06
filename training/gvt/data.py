"""Training data: Shapes World scenes rendered as the eval sets are (a canvas of
256 px or a random size, then resized to the model's input with PIL bilinear,
as the engine resizes), with patch-level targets from the scene geometry.

Per image: pixels uint8 [S,S,3]; `cover` uint8 [G*G, 25] pixel counts per
patch of each label (0 background, 1 + shape*6 + colour); `centre` uint8
[G*G] the label of the object whose centre lies in the patch (0 none); the
objects as (shape index, colour index) pairs for the language tasks.
"""

import multiprocessing as mp

import numpy as np
from PIL import Image

from .shapes import COLORS, SHAPES, label_map, random_scene, render

NUM_LABELS = 1 + len(SHAPES) * len(COLORS)


def canvas_size(rng):
    return 256 if rng.random() < 0.4 else int(rng.integers(200, 521))


def sample(rng, size, grid):
    scene = random_scene(rng)
    canvas = canvas_size(rng)
    img = render(scene, canvas, rng, supersample=2)
    if canvas != size:
        img = img.resize((size, size), Image.BILINEAR)
    labels = label_map(scene, size)
    p = size // grid
    onehot = np.zeros((size, size, NUM_LABELS), np.uint8)
    np.put_along_axis(onehot, labels[..., None].astype(np.int64), 1, axis=2)
    cover = onehot.reshape(grid, p, grid, p, NUM_LABELS).sum((1, 3)).reshape(grid * grid, NUM_LABELS)
    centre = np.zeros(grid * grid, np.uint8)
    objs = []
    for o in scene["objects"]:
        s, c = SHAPES.index(o["shape"]), COLORS.index(o["color"])
        gx, gy = min(grid - 1, int(o["cx"] * grid)), min(grid - 1, int(o["cy"] * grid))
        centre[gy * grid + gx] = 1 + s * 6 + c
        objs.append((s, c))
    return np.asarray(img, np.uint8), cover.astype(np.uint8), centre, objs


def _chunk(args):
    seed, n, size, grid = args
    rng = np.random.default_rng(seed)
    out = [sample(rng, size, grid) for _ in range(n)]
    return (np.stack([o[0] for o in out]), np.stack([o[1] for o in out]), np.stack([o[2] for o in out]),
            [o[3] for o in out])


def make_dataset(n, seed, size, grid, workers=2, chunk=500):
    """Deterministic for (n, seed, size, grid, chunk) whatever the number of workers."""
    jobs = [(seed * 100003 + i, min(chunk, n - i * chunk), size, grid) for i in range((n + chunk - 1) // chunk)]
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
