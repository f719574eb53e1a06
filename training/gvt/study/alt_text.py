"""Alt-text for the contrastive tokenizer: what a web page might say about a Shapes World picture.
Like real alt-text it is partial and noisy: it names some of the objects, often without their
number, sometimes with a wrong one, sometimes only a shape or only a colour, wrapped in stock
phrases; one text in twenty says nothing about the picture at all."""

from collections import Counter

from ..shapes import COLORS, NUMBER_WORDS, SHAPES, plural

WRAPPERS = ["a picture with {}", "{}", "{} on a white background", "clipart of {}", "image of {}",
            "{} - vector illustration", "simple drawing: {}", "{}, flat design", "kids worksheet with {}"]
UNRELATED = ["image", "untitled", "img_0412.png", "stock illustration", "background", "download free",
             "click to enlarge", "thumbnail", "figure 3", "see more"]


def _group_phrase(count, shape, color, rng):
    style = rng.random()
    if style < 0.15:
        return f"{color} shapes" if count > 1 or rng.random() < 0.5 else f"something {color}"
    if style < 0.35:
        return plural(shape) if count > 1 else f"a {shape}"
    noun = f"{color} {plural(shape) if count > 1 else shape}"
    if rng.random() < 0.5:
        if rng.random() < 0.1:
            count = max(1, count + (1 if rng.random() < 0.5 else -1))
            noun = f"{color} {plural(shape) if count > 1 else shape}"
        number = str(count) if rng.random() < 0.5 else NUMBER_WORDS[count]
        return f"{number} {noun}"
    return noun if count > 1 else f"a {noun}"


def alt_text(objects, rng):
    """objects: (shape index, colour index) pairs -> one alt-text."""
    if rng.random() < 0.05:
        return str(rng.choice(UNRELATED))
    groups = list(Counter(objects).items())
    rng.shuffle(groups)
    named = groups[:1 + int(rng.integers(len(groups)))] if groups else []
    phrases = [_group_phrase(n, SHAPES[s], COLORS[c], rng) for (s, c), n in named]
    body = " and ".join(phrases) if len(phrases) <= 2 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return str(rng.choice(WRAPPERS)).format(body or "shapes")
