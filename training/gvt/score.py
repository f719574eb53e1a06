"""GVTBench-style scoring of Shapes World answers (the same rules as src/eval/score.ts)."""

import re

from .shapes import COLORS, NUMBER_WORDS, SHAPES

_INT = re.compile(r"\d+|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def first_integer(text):
    m = _INT.search(text)
    if not m:
        return None
    tok = m.group(0).lower()
    return int(tok) if tok.isdigit() else NUMBER_WORDS.index(tok)


def score_count(output, answer):
    return first_integer(output) == int(answer)


def score_identify(output, answer):
    out = output.lower()
    return ("yes" in out) if answer.lower().startswith("yes") else ("no" in out)


def normalize(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def score_vqa(output, answer):
    return normalize(output) == normalize(answer)


def parse_caption(text):
    """Caption text -> {(count, colour, shape): multiplicity}."""
    groups = {}
    t = normalize(text)
    for m in re.finditer(r"\b(\w+) (" + "|".join(COLORS) + r") (" + "|".join(SHAPES) + r")s?\b", t):
        word = m.group(1)
        n = NUMBER_WORDS.index(word) if word in NUMBER_WORDS else (int(word) if word.isdigit() else None)
        if n is None:
            continue
        key = (n, m.group(2), m.group(3))
        groups[key] = groups.get(key, 0) + 1
    return groups


def score_caption(output, answer):
    """(exact, f1) over groups (count, colour, shape)."""
    p, t = parse_caption(output), parse_caption(answer)
    inter = sum(min(v, t.get(k, 0)) for k, v in p.items())
    np_, nt = sum(p.values()), sum(t.values())
    prec = inter / np_ if np_ else 0.0
    rec = inter / nt if nt else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return p == t, f1
