"""Procedurally made images that are not Shapes World scenes, for the scene
check: what a visitor may drop instead of a scene (a photo, a scan, a drawing),
made from the statistics of such images rather than from copies of any.

`non_scene(rng, size)` -> PIL RGB size × size, one of KINDS:
  dead_leaves  overlapping discs and boxes of natural colours, sizes following a
               power law (the classic model of natural-image statistics);
  fractal      1/f noise mapped through a random colour ramp (clouds, terrain, fur);
  landscape    a sky gradient over textured ground with blurred blobs;
  document     text-like strokes in lines on paper, or a dark page;
  silhouette   one large dark smooth blob on a light ground, or the reverse;
  pattern      stripes, checks or a grid.
Half of them are turned grey (black-and-white photos), and all get camera blur,
noise and JPEG, as photos have.
"""

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

KINDS = ["dead_leaves", "fractal", "landscape", "document", "silhouette", "pattern"]
WEIGHTS = [0.3, 0.2, 0.2, 0.1, 0.1, 0.1]


def _natural_colour(rng):
    """Browns, skin, foliage, sky, greys and now and then a vivid colour."""
    kind = rng.random()
    if kind < 0.25:
        v = rng.uniform(20, 235)
        return tuple(int(np.clip(v + rng.normal(0, 8), 0, 255)) for _ in range(3))
    if kind < 0.9:
        h, s, v = rng.uniform(0, 1), rng.uniform(0.1, 0.6), rng.uniform(0.15, 0.95)
    else:
        h, s, v = rng.uniform(0, 1), rng.uniform(0.6, 1.0), rng.uniform(0.5, 1.0)
    img = Image.new("HSV", (1, 1), (int(h * 255), int(s * 255), int(v * 255))).convert("RGB")
    return img.getpixel((0, 0))


def _dead_leaves(rng, size):
    img = Image.new("RGB", (size, size), _natural_colour(rng))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(40, 400))):
        r = size * 0.01 / max(rng.random(), 0.01) ** 0.7  # power-law radii
        x, y = rng.uniform(-r, size + r, 2)
        box = [x - r, y - r * rng.uniform(0.4, 1.6), x + r, y + r * rng.uniform(0.4, 1.6)]
        (draw.ellipse if rng.random() < 0.6 else draw.rectangle)(box, fill=_natural_colour(rng))
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(0, 2.0)))


def _fractal(rng, size):
    fy, fx = np.meshgrid(np.fft.fftfreq(size), np.fft.fftfreq(size), indexing="ij")
    f = np.sqrt(fx**2 + fy**2)
    f[0, 0] = 1
    spectrum = (rng.normal(size=(size, size)) + 1j * rng.normal(size=(size, size))) / f ** rng.uniform(0.8, 1.6)
    field = np.real(np.fft.ifft2(spectrum))
    field = (field - field.min()) / (np.ptp(field) + 1e-9)
    stops = np.array([_natural_colour(rng) for _ in range(int(rng.integers(2, 5)))], np.float32)
    pos = field * (len(stops) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(stops) - 2)
    t = (pos - lo)[..., None]
    return Image.fromarray((stops[lo] * (1 - t) + stops[lo + 1] * t).astype(np.uint8))


def _landscape(rng, size):
    y = np.linspace(0, 1, size)[:, None, None]
    top, bottom = np.array(_natural_colour(rng), np.float32), np.array(_natural_colour(rng), np.float32)
    sky = top * (1 - y) + bottom * y
    arr = np.repeat(sky, size, 1)
    horizon = int(size * rng.uniform(0.3, 0.8))
    ground = np.asarray(_fractal(rng, size), np.float32)
    arr[horizon:] = ground[horizon:]
    img = Image.fromarray(arr.astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(1, 8))):
        x, yy, r = rng.uniform(0, size), rng.uniform(0.2, 1) * size, rng.uniform(0.05, 0.3) * size
        draw.ellipse([x - r, yy - r * 1.5, x + r, yy + r], fill=_natural_colour(rng))
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 3)))


def _document(rng, size):
    light = rng.random() < 0.8
    paper = int(rng.uniform(190, 250)) if light else int(rng.uniform(10, 60))
    ink = int(rng.uniform(0, 90)) if light else int(rng.uniform(170, 250))
    img = Image.new("RGB", (size, size), (paper,) * 3)
    draw = ImageDraw.Draw(img)
    line = rng.uniform(0.03, 0.08) * size
    y = rng.uniform(0, line)
    while y < size:
        x = rng.uniform(0, 0.1) * size
        while x < size * rng.uniform(0.7, 1.0):
            w = rng.uniform(0.2, 1.2) * line
            for _ in range(int(rng.integers(2, 6))):
                pts = [(x + rng.uniform(0, w), y + rng.uniform(0, line * 0.7)) for _ in range(3)]
                draw.line(pts, fill=(ink,) * 3, width=max(1, int(line * 0.1)))
            x += w + line * 0.4
        y += line * rng.uniform(1.2, 1.8)
    return img


def _silhouette(rng, size):
    ground, blob = _natural_colour(rng), _natural_colour(rng)
    if rng.random() < 0.6:
        ground, blob = (int(rng.uniform(200, 255)),) * 3, (int(rng.uniform(0, 50)),) * 3
    img = Image.new("RGB", (size, size), ground)
    k = int(rng.integers(5, 12))
    angles = np.sort(rng.uniform(0, 2 * math.pi, k * 3))
    radii = size * rng.uniform(0.15, 0.45, k * 3)
    cx, cy = rng.uniform(0.3, 0.7, 2) * size
    pts = [(cx + r * math.cos(a) * rng.uniform(1, 1.6), cy + r * math.sin(a)) for a, r in zip(angles, radii)]
    ImageDraw.Draw(img).polygon(pts, fill=blob)
    return img.filter(ImageFilter.GaussianBlur(rng.uniform(0, 1.5)))


def _pattern(rng, size):
    a, b = np.array(_natural_colour(rng), np.float32), np.array(_natural_colour(rng), np.float32)
    yy, xx = np.mgrid[0:size, 0:size] / size
    period = rng.uniform(0.03, 0.25)
    kind = rng.integers(3)
    if kind == 0:
        m = (np.floor(xx / period) + np.floor(yy / period)) % 2
    elif kind == 1:
        angle = rng.uniform(0, math.pi)
        m = np.floor((xx * math.cos(angle) + yy * math.sin(angle)) / period) % 2
    else:
        m = ((xx % period) < period * 0.15) | ((yy % period) < period * 0.15)
    return Image.fromarray((a * (1 - m[..., None]) + b * m[..., None]).astype(np.uint8))


MAKERS = {"dead_leaves": _dead_leaves, "fractal": _fractal, "landscape": _landscape, "document": _document,
          "silhouette": _silhouette, "pattern": _pattern}


def non_scene(rng, size):
    img = MAKERS[KINDS[rng.choice(len(KINDS), p=WEIGHTS)]](rng, size)
    if rng.random() < 0.5:
        img = img.convert("L").convert("RGB")
    arr = np.asarray(img, np.float32) + rng.normal(0, rng.uniform(0, 6), (size, size, 3))
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(rng.integers(50, 95)))
    buf.seek(0)
    return Image.open(buf).convert("RGB")
