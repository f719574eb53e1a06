"""Photographed Shapes World scenes (the "Photographed scenes" of the Shapes
World data spec that gvt/shapes.py implements): the scene printed on a card
with hand-cut edges, lying tilted on a desk, lit unevenly and taken with a
phone or webcam.

`photograph(scene, frame, rng, ranges)` returns the frame (PIL RGB, frame ×
frame px), the label map of the same frame (PIL "L", shapes.label_value per
pixel) and where each object's centre landed (fractions of the frame). SPEC
holds the spec's ranges (what eval sets use); TRAIN goes beyond them.
"""

import io
import math

import numpy as np
from PIL import Image, ImageFilter

from .shapes import label_image, outline, render

SPEC = {"card": (0.70, 1.0), "tilt": 0.03, "light_card": 0.7, "wobble": 0.08, "brightness": (0.75, 1.0),
        "falloff": 0.20, "white_balance": 0.12, "blur": 1.1, "noise": 6.0, "jpeg": (45, 85)}
TRAIN = {"card": (0.55, 1.0), "tilt": 0.05, "light_card": 0.7, "wobble": 0.10, "brightness": (0.6, 1.05),
         "falloff": 0.25, "white_balance": 0.15, "blur": 1.5, "noise": 8.0, "jpeg": (35, 90)}


def hand_cut(scene, rng, amount):
    """outline_of for shapes.render: each outline point moved radially by up to `amount` r,
    smoothly along the outline (scissors wobble, they do not zigzag)."""
    polys = {}
    for obj in scene["objects"]:
        pts = outline(obj)
        cx, cy, r = obj["cx"], obj["cy"], obj["r"]
        if pts is None:
            pts = [(cx + r * math.cos(t), cy + r * math.sin(t)) for t in np.linspace(0, 2 * math.pi, 48, endpoint=False)]
        else:  # densify the edges so the wobble bends them
            dense = []
            for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
                dense += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.linspace(0, 1, 6, endpoint=False)]
            pts = dense
        raw = rng.uniform(-1, 1, len(pts))
        smooth = (np.roll(raw, 1) + raw + np.roll(raw, -1)) / 3
        shift = smooth / max(1e-6, np.abs(smooth).max()) * rng.uniform(0, amount) * r
        out = []
        for (x, y), d in zip(pts, shift):
            dist = math.hypot(x - cx, y - cy) or 1e-6
            out.append((x + (x - cx) / dist * d, y + (y - cy) / dist * d))
        polys[id(obj)] = out
    return lambda obj: polys[id(obj)]


def _homography(src, dst):
    """Coefficients (a..h) with dst = ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (...)) for src points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float))


def _apply(h, x, y):
    w = h[6] * x + h[7] * y + 1
    return (h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w


def _smooth_noise(rng, size, cells, amplitude):
    """Low-frequency noise [size, size]: a random cells × cells grid upsampled bicubically."""
    grid = rng.normal(0, 1, (cells, cells)).astype(np.float32)
    img = Image.fromarray(grid, mode="F").resize((size, size), Image.BICUBIC)
    return np.asarray(img) * amplitude


def desk(rng, size):
    """A desk surface: grey (laminate, concrete) or wood (brown with grain along one axis)."""
    if rng.random() < 0.5:
        g = rng.uniform(60, 190)
        base = np.array([g + rng.uniform(-6, 6), g + rng.uniform(-6, 6), g + rng.uniform(-6, 6)])
        tex = _smooth_noise(rng, size, 6, 10)[..., None] + rng.normal(0, 4, (size, size, 1))
    else:
        r = rng.uniform(90, 185)
        base = np.array([r, r * rng.uniform(0.62, 0.74), r * rng.uniform(0.36, 0.5)])
        along = rng.normal(0, 1, size).cumsum()
        along = (along - along.mean()) / (along.std() + 1e-6)
        streaks = np.repeat(along[None, :], size, 0) * rng.uniform(6, 14)
        streaks += np.repeat(rng.normal(0, 5, size)[None, :], size, 0)
        if rng.random() < 0.5:
            streaks = streaks.T
        tex = (streaks + _smooth_noise(rng, size, 4, 8))[..., None] * np.array([1.0, 0.8, 0.55])
    return np.clip(base + tex, 0, 255)


def card_background(rng, light):
    lo, hi = (195, 255) if light else (0, 60)
    while True:
        rgb = rng.integers(lo, hi + 1, size=3)
        if rgb.max() - rgb.min() <= 15:
            return tuple(int(v) for v in rgb)


def photograph(scene, frame, rng, ranges=SPEC):
    """-> (PIL RGB frame × frame, PIL "L" label map frame × frame, object centres as (x, y) fractions)."""
    light = rng.random() < ranges["light_card"]
    card_px = frame
    cut = hand_cut(scene, rng, ranges["wobble"])
    flat = dict(scene, noise=0.0)
    card = render(flat, card_px, rng, supersample=1, outline_of=cut, background=card_background(rng, light))
    if light:  # faint paper grain
        grain = _smooth_noise(rng, card_px, 40, 2.5)[..., None] + rng.normal(0, 1.5, (card_px, card_px, 1))
        card = Image.fromarray(np.clip(np.asarray(card, np.float32) + grain, 0, 255).astype(np.uint8))
    labels = label_image(scene, card_px, outline_of=cut)

    side = rng.uniform(*ranges["card"]) * frame
    x0 = rng.uniform(0, frame - side)
    y0 = rng.uniform(0, frame - side)
    square = [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)]
    tilt = ranges["tilt"] * frame
    corners = [(float(np.clip(x + rng.uniform(-tilt, tilt), 0, frame)), float(np.clip(y + rng.uniform(-tilt, tilt), 0, frame)))
               for x, y in square]
    card_corners = [(0, 0), (card_px, 0), (card_px, card_px), (0, card_px)]
    to_card = tuple(_homography(corners, card_corners))  # PIL maps output (frame) pixels to input (card) pixels
    to_frame = _homography(card_corners, corners)
    warped = card.transform((frame, frame), Image.PERSPECTIVE, to_card, Image.BICUBIC)
    mask = Image.new("L", (card_px, card_px), 255).transform((frame, frame), Image.PERSPECTIVE, to_card, Image.BILINEAR)
    out = Image.fromarray(desk(rng, frame).astype(np.uint8))
    out.paste(warped, (0, 0), mask)
    label_frame = labels.transform((frame, frame), Image.PERSPECTIVE, to_card, Image.NEAREST)
    centres = [tuple(c / frame for c in _apply(to_frame, o["cx"] * card_px, o["cy"] * card_px)) for o in scene["objects"]]

    arr = np.asarray(out, np.float32)
    yy, xx = np.mgrid[0:frame, 0:frame] / frame - 0.5
    angle = rng.uniform(0, 2 * math.pi)
    light_field = rng.uniform(*ranges["brightness"]) * (1 + rng.uniform(-1, 1) * ranges["falloff"] * (xx * math.cos(angle) + yy * math.sin(angle)) * 2)
    wb = ranges["white_balance"]
    gains = np.array([1 + rng.uniform(-wb, wb), 1.0, 1 + rng.uniform(-wb, wb)])
    arr = arr * light_field[..., None] * gains
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    sigma = rng.uniform(0, ranges["blur"]) * frame / 256
    if sigma > 0.05:
        img = img.filter(ImageFilter.GaussianBlur(sigma))
    arr = np.asarray(img, np.float32) + rng.normal(0, rng.uniform(0, ranges["noise"]), (frame, frame, 3))
    img = Image.fromarray(np.clip(np.round(arr), 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(rng.integers(ranges["jpeg"][0], ranges["jpeg"][1] + 1)))
    buf.seek(0)
    return Image.open(buf).convert("RGB"), label_frame, centres
