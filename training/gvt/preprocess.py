"""The engine's image fit (src/engine/image.ts `fitToSquare`) in Python, for
training data and reference outputs: a non-square image keeps its proportions,
resized so its long side is the model's input size and centred on a square
filled with the median colour of its border (for a Shapes World scene, its
background, so the padding reads as more background)."""

import numpy as np
from PIL import Image

FILTERS = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "nearest": Image.NEAREST}


def border_fill(img):
    """Per-channel lower median of the outermost rows and columns (each pixel once)."""
    a = np.asarray(img.convert("RGB"))
    h = a.shape[0]
    ring = [a[0], a[-1]] if h > 1 else [a[0]]
    if h > 2:
        ring += [a[1:-1, 0], a[1:-1, -1]]
    px = np.concatenate(ring).reshape(-1, 3)
    return tuple(int(v) for v in np.sort(px, axis=0)[(len(px) - 1) // 2])


def fitted_size(w, h, size):
    """(width, height) of the image inside the square: long side `size`, rounded half up."""
    long = max(w, h)
    return max(1, int(w * size / long + 0.5)), max(1, int(h * size / long + 0.5))


def fit(img, size, resize="bilinear", fill=None):
    """PIL image -> size × size RGB, letterboxed. Returns (image, (x offset, y offset, width, height))."""
    img = img.convert("RGB")
    w, h = img.size
    nw, nh = fitted_size(w, h, size)
    resized = img if (nw, nh) == (w, h) else img.resize((nw, nh), FILTERS[resize])
    if (nw, nh) == (size, size):
        return resized, (0, 0, size, size)
    x, y = (size - nw) // 2, (size - nh) // 2
    out = Image.new("RGB", (size, size), fill if fill is not None else border_fill(img))
    out.paste(resized, (x, y))
    return out, (x, y, nw, nh)
