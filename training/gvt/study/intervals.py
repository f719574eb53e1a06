"""95 % intervals of the study's scores: Wilson's for a share of questions right, the normal
approximation for the mean caption F1."""

import math

import numpy as np

Z = 1.96


def wilson(right, n):
    if n == 0:
        return [0.0, 1.0]
    p = right / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return [round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)]


def mean_interval(values):
    v = np.asarray(values, dtype=np.float64)
    half = Z * v.std(ddof=1) / math.sqrt(len(v)) if len(v) > 1 else 1.0
    return [round(float(v.mean() - half), 4), round(float(v.mean() + half), 4)]
