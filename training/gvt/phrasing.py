"""Questions as people type them: a grammar of phrasings for every task, split
into the phrasings GVT-tiny trains on (TRAIN) and a held-out part it never sees
(HELDOUT: other sentence frames, fillers and unknown nouns), for evaluation.

`ask(task, scene, rng, split)` -> (question as a visitor types it, answer), the
answer as the spec writes it. The app sends a typed question through the
manifest's vqa template (`Question: {question} Answer:`), so training wraps
these the same way (stage2.py). `off_topic(rng, split)` is a question the model
cannot answer; its answer is REFUSAL.
"""

import re

from .shapes import COLORS, NUMBER_WORDS, SHAPES, caption, question_for

REFUSAL = "I can only count, find and describe the coloured shapes in this picture, for example: how many red stars are there?"

# What a booth or classroom calls the picture ("the card", "the drawing") is trained: the first
# package held "card" out, and "describe the card" read like "describe the dog" and was refused.
PICTURES = {"train": ["the image", "this image", "the picture", "this picture", "the photo", "this photo", "the card",
                      "this card", "the drawing", "this drawing", "the screen", "the slide", "the page"],
            "heldout": ["the pic", "this pic", "this photograph", "the snapshot", "this sketch"]}
PLACES = {"train": ["", "", " in the image", " in the picture", " in this picture", " in this image", " in the photo",
                    " in this photo", " here", " on the card", " on this card", " in the drawing", " on the screen"],
          "heldout": ["", " in the pic", " in this photograph", " over here", " in the snapshot"]}
NOUNS = {"train": ["object", "thing", "shape", "item"], "heldout": ["object", "thing", "shape", "piece"]}
FILLERS = {"train": ["", "", "", "", "please ", "hey, ", "so ", "ok, ", "tell me, ", "quick question: ", "hello, ",
                     "hey there! "],
           "heldout": ["", "", "", "hi! ", "um, ", "excuse me, ", "i wonder, ", "sorry, "]}
ENDS = {"train": ["?", "?", "", " ?", "??"], "heldout": ["?", "", "?!"]}
STOPS = {"train": [".", "", "!"], "heldout": [".", "", " please."]}

COUNT = {
    "train": ["how many {P} are there{L}{Q}", "how many {P} are in {I}{Q}", "how many {P} do you see{L}{Q}",
              "how many {P} can you see{L}{Q}", "how many {P}{L}{Q}", "count the {P}{L}{S}", "count {P}{S}",
              "what is the number of {P}{L}{Q}", "tell me how many {P} there are{L}{S}", "number of {P}{L}{Q}",
              "how many {P} does {I} have{Q}", "how many {P} are shown{L}{Q}", "can you count the {P}{L}{Q}",
              "how many {P} are there in total{Q}", "how many {P} is there{L}{Q}", "count all the {P}{L}{S}",
              "how many {P} does {I} contain{Q}", "how many {P} in total{Q}", "how many {P} can you count{L}{Q}",
              "count how many {P} there are{L}{S}", "how many {P} are visible{L}{Q}", "find the number of {P}{L}{S}",
              "how many {P} have you got{L}{Q}", "total number of {P}{L}{Q}", "how many {P} are present{L}{Q}",
              "how many {P} would you say there are{L}{Q}", "can you tell me how many {P} there are{L}{Q}",
              "in {I}, how many {P} are there{Q}", "how many {P} are on it{Q}",
              "{P}: how many{Q}",
              # Questions inside a sentence ("i want to know how many ... there are"): the package
              # before refused some held-out ones as off-topic (training/README.md).
              "i want to know how many {P} there are{L}{S}", "let me know how many {P} there are{L}{S}",
              "do you know how many {P} there are{L}{Q}", "i need to know how many {P} are in {I}{S}",
              "i'm curious how many {P} there are{L}{S}", "say how many {P} there are{L}{S}",
              "could you tell me the number of {P}{L}{Q}", "how many {P} are pictured{L}{Q}",
              "how many {P} appear{L}{Q}", "count up the {P}{L}{S}", "how many {P} are there altogether{Q}",
              "would you count the {P}{L}{Q}", "how many {P} exist{L}{Q}"],
    "heldout": ["how many {P} can be seen{L}{Q}", "please count the {P}{L}{S}", "what's the number of {P}{L}{Q}",
                "i'd like to know how many {P} there are{S}", "give me the number of {P}{L}{S}",
                "how many {P} do we have{L}{Q}", "could you count the {P} for me{Q}"],
}
IDENTIFY = {
    "train": ["is there {A}{L}{Q}", "are there any {P}{L}{Q}", "are there {P}{L}{Q}", "do you see {A}{L}{Q}",
              "can you see {A}{L}{Q}", "can you find {A}{L}{Q}", "any {P}{L}{Q}", "does {I} contain {A}{Q}",
              "does {I} have {A}{Q}", "is {A} in {I}{Q}", "do you see any {P}{L}{Q}", "does {A} exist{L}{Q}",
              "is there at least one {N}{L}{Q}", "is there any {N}{L}{Q}", "are any {P} in {I}{Q}",
              "does it have {A}{Q}", "is {A} present{L}{Q}", "do you see {A} anywhere{Q}", "is there {A} on it{Q}",
              "is there {A} or not{Q}", "could you find {A}{L}{Q}", "are there some {P}{L}{Q}", "do i see {A}{L}{Q}",
              "check if there is {A}{L}{S}", "is {A} shown{L}{Q}", "has {I} got {A}{Q}", "yes or no: is there {A}{L}{Q}",
              "in {I}, is there {A}{Q}", "tell me if there is {A}{L}{S}", "is there {A} in it{Q}",
              "i want to know if there is {A}{L}{S}", "do you know if there is {A}{L}{Q}",
              "let me know if there are any {P}{L}{S}", "can you see if there is {A}{L}{Q}",
              "is there {A} in view{L}{Q}", "are there {P} around{L}{Q}", "would you say there is {A}{L}{Q}"],
    "heldout": ["can you spot {A}{L}{Q}", "do we have {A}{L}{Q}", "any {P} in {I}{Q}", "does {I} show {A}{Q}",
                "is there {A} somewhere{L}{Q}", "do you see any {P} at all{Q}", "is {A} visible{L}{Q}",
                "can i see {A}{L}{Q}"],
}
COLOR_OF = {
    "train": ["what {C} is the {s}{L}{Q}", "what is the {C} of the {s}{L}{Q}", "which {C} is the {s}{Q}",
              "what {C} does the {s} have{Q}", "tell me the {C} of the {s}{S}", "{C} of the {s}{Q}",
              "the {s} is what {C}{Q}", "what's the {C} of the {s}{Q}", "what {C} is the {s} in {I}{Q}",
              "what {C} is that {s}{Q}", "what {C} would you say the {s} is{Q}", "which {C} has the {s}{L}{Q}",
              "the {s}: what {C}{Q}", "identify the {C} of the {s}{S}", "what is the {s}'s {C}{Q}",
              "the {s}, what {C} is it{Q}", "tell me what {C} the {s} is{S}",
              "i want to know the {C} of the {s}{S}", "do you know what {C} the {s} is{Q}",
              "what {C} is used for the {s}{Q}", "the {s} has which {C}{Q}", "let me know the {C} of the {s}{S}"],
    "heldout": ["what {C} has the {s} got{Q}", "which {C} does the {s} have{L}{Q}",
                "can you tell me the {C} of the {s}{Q}", "in what {C} is the {s}{Q}", "name the {C} of the {s}{S}"],
}
SHAPE_OF = {
    "train": ["what shape is the {c} {n}{L}{Q}", "what is the {c} {n}{Q}", "which shape is {c}{Q}",
              "what's the {c} {n}{Q}", "what kind of shape is the {c} {n}{Q}", "the {c} {n} is what shape{Q}",
              "what is the shape of the {c} {n}{L}{Q}", "which shape is the {c} {n}{Q}", "which one is {c}{Q}",
              "which {n} is {c}{Q}",
              "what shape has the {c} {n}{Q}", "the {c} {n}: what shape{Q}", "name the shape of the {c} {n}{S}",
              "what shape is the {c} one{L}{Q}", "identify the {c} {n}{S}", "what shape has the {C} {c}{Q}",
              "which shape has the {C} {c}{Q}", "what shape is in {c}{Q}", "the {c} {n}, what shape is it{Q}",
              "i want to know what shape the {c} {n} is{S}", "do you know what shape the {c} {n} is{Q}",
              "what shape does the {c} {n} have{Q}", "the {c} {n} has which shape{Q}",
              # Count, identify, colour and caption had frames led by "tell me" or "let me know"; without one the package made
              # by npm run train answered "tell me the shape of the green thing" with "Yes." (training/README.md).
              "tell me what shape the {c} {n} is{S}", "let me know what shape the {c} {n} is{S}",
              # With those it still did, 31 times of 38: a claim ("is the green thing a star?") has no wh-word, and
              # shape had two wh-less frames where colour has five. The colour task's wh-less frames, for shape:
              "shape of the {c} {n}{Q}", "i want to know the shape of the {c} {n}{S}", "let me know the shape of the {c} {n}{S}"],
    "heldout": ["tell me the shape of the {c} {n}{S}", "which shape is the {c} one{Q}",
                "what type of shape is the {c} {n}{Q}", "what does the {c} {n} look like{Q}"],
}
COLORS_COUNT = {
    "train": ["how many {C}s are there{L}{Q}", "how many different {C}s{L}{Q}", "how many {C}s do you see{Q}",
              "count the {C}s{S}", "number of {C}s{L}{Q}", "how many different {C}s are there{Q}",
              "how many {C}s are used{L}{Q}", "how many different {C}s do you see{L}{Q}", "count the different {C}s{L}{S}"],
    "heldout": ["how many distinct {C}s are used{Q}", "how many {C}s can you see in total{Q}"],
}
CAPTION = {
    "train": ["what's in {I}{Q}", "what is in {I}{Q}", "describe {I}{S}", "caption {I}{S}", "caption this{S}",
              "what do you see{L}{Q}", "tell me what you see{S}", "what does {I} show{Q}", "describe what you see{S}",
              "can you describe {I}{Q}", "write a caption{S}", "describe the scene{S}", "list the {N}s{L}{S}",
              "what is shown{L}{Q}", "describe it{S}", "what {N}s are there{L}{Q}", "what {N}s do you see{L}{Q}",
              "tell me about {I}{S}", "what is this{Q}", "what's this{Q}", "can you tell me what's in {I}{Q}", "describe{S}",
              "what shapes are there{L}{Q}", "what shapes do you see{L}{Q}", "name the {N}s{L}{S}",
              "what is pictured{L}{Q}", "give a description of {I}{S}", "summarize {I}{S}", "summarise {I}{S}",
              "what does it show{Q}", "tell me what's in {I}{S}", "describe the contents of {I}{S}",
              "what is going on in {I}{Q}", "describe everything you see{S}", "what are the {N}s{L}{Q}",
              "caption please{S}", "describe {I} for me{S}", "write a short description{S}", "what have we got here{Q}",
              "describe {I} in one sentence{S}", "describe {I} in a sentence{S}", "write a sentence about {I}{S}",
              "describe all the {N}s{L}{S}", "describe the {N}s and {C}s{L}{S}", "describe all the {N}s and {C}s{S}",
              "what is on {I}{Q}", "what's on {I}{Q}", "write a description of {I}{S}", "list all the {N}s{L}{S}",
              "write a sentence describing {I}{S}", "describe each {N} and its {C}{S}",
              "describe all the {N}s and their {C}s{S}",
              "i want a description of {I}{S}", "tell me what is in {I}{S}", "describe what is in {I}{S}",
              "do you know what is in {I}{Q}", "let me know what you see{L}{S}"],
    "heldout": ["what can you see{L}{Q}", "give me a caption for {I}{S}", "please describe {I}{S}",
                "what objects are in {I}{Q}", "could you describe {I} for me{Q}", "explain what is in {I}{S}"],
}

# Yes/No questions checking a claim about the scene, as visitors check what they see ("is the star yellow?",
# "are there 3 circles?"), answered as identify is. The spec has no such task; the package before answered
# them at chance, mostly "Yes." (training/README.md). {k}: a count of two or more, in digits or words.
CLAIM_COLOR = {"train": ["is the {s} {c}{L}{Q}", "is the {s} {c} or not{Q}", "is the {s} coloured {c}{Q}",
                         "is the {s} colored {c}{Q}", "the {s} is {c}, right{Q}", "is the {C} of the {s} {c}{Q}",
                         "would you say the {s} is {c}{Q}", "is that {s} {c}{Q}"],
               "heldout": ["is the {s} painted {c}{Q}", "the {s} is {c}, isn't it{Q}", "am i right that the {s} is {c}{Q}"]}
CLAIM_SHAPE = {"train": ["is the {c} {n} a {s}{L}{Q}", "is the {c} one a {s}{Q}", "is the {c} {n} a {s} or not{Q}",
                         "the {c} {n} is a {s}, right{Q}"],
               "heldout": ["is the {c} {n} shaped like a {s}{Q}", "would you call the {c} one a {s}{Q}"]}
CLAIM_COUNT = {"train": ["are there {k} {P}{L}{Q}", "are there exactly {k} {P}{L}{Q}", "is the number of {P} {k}{Q}",
                         "do you see {k} {P}{L}{Q}", "i count {k} {P}, is that right{Q}", "there are {k} {P}, right{Q}"],
               "heldout": ["are {k} {P} shown{L}{Q}", "can you see {k} {P}{Q}", "so there are {k} {P}{Q}"]}
# The share of the grammar's identify questions in training that check a claim instead.
CLAIM_SHARE = 0.3

# Off-topic: questions about the world, the assistant, or things Shapes World has not got.
GENERAL = {
    "train": ["what is the capital of france", "who made you", "who are you", "what is your name", "tell me a joke",
              "how are you", "hello", "hi there", "what's the weather like today", "what time is it",
              "what is 2 + 2", "who won the world cup", "write a poem", "translate this into french",
              "what is the meaning of life", "can you help me with my homework", "how old are you",
              "what day is it", "play some music", "how do i cook pasta", "is it going to rain",
              "where is the red circle", "what is next to the star", "is the circle bigger than the square",
              "which shape is the largest", "what is above the triangle", "why is the square red",
              "draw a circle", "thank you", "what language do you speak", "are you a robot"],
    "heldout": ["what is the capital of germany", "who built you", "what can you do", "good morning",
                "how far is the moon", "what is the tallest mountain", "sing me a song", "who is the president",
                "what's left of the blue square", "which object is the smallest"],
}
THINGS = {
    "train": ["dog", "cat", "car", "person", "man", "woman", "tree", "house", "bird", "flower", "horse", "bike",
              "phone", "book", "chair", "table", "cup", "ball", "boat", "face", "sky", "sun", "child", "apple",
              "banana", "bottle", "window", "door", "road", "sign", "rocket", "clock", "coin", "camera", "hat"],
    "heldout": ["elephant", "bus", "laptop", "pizza", "giraffe", "umbrella", "train", "cow", "sheep", "kite"],
}
ABOUT_THING = {
    "train": ["is there a {T}{L}{Q}", "how many {T}s are there{L}{Q}", "what {C} is the {T}{Q}",
              "what is the {T} doing{Q}", "where is the {T}{Q}", "is this a {T}{Q}", "describe the {T}{S}"],
    "heldout": ["can you see a {T}{L}{Q}", "how many {T}s do you see{Q}", "what {C} is the {T}{L}{Q}"],
}


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def unknown_word(rng):
    """A made-up word, outside the tokenizer's vocabulary (it reads as bytes): visitors use words
    the grammar never had. In a filler it must change nothing; as the thing asked about, it is
    something Shapes World has not got."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "".join(letters[int(rng.integers(26))] for _ in range(int(rng.integers(3, 9))))


def _unknown_filler(rng, text):
    """Now and then a word or two the model has never seen, before, after or in the middle."""
    if rng.random() >= 0.35:
        return text
    where = rng.integers(3)
    words = " ".join(unknown_word(rng) for _ in range(int(rng.integers(1, 3))))
    if where == 0:
        return f"{words}, {text}"
    if where == 1:
        return f"{text} {words}"
    parts = text.split(" ")
    cut = int(rng.integers(1, len(parts))) if len(parts) > 1 else 1
    return " ".join(parts[:cut] + [words] + parts[cut:])


def _article(word):
    return "an" if word[0] in "aeiou" else "a"


def _picture(rng, split):
    """What the picture is called; in training now and then a word never seen, as a visitor's own name for it."""
    if split == "train" and rng.random() < 0.1:
        return f"{'the' if rng.random() < 0.5 else 'this'} {unknown_word(rng)}"
    return _pick(rng, PICTURES[split])


def _fill(rng, split, frame, **slots):
    slots.setdefault("N", _pick(rng, NOUNS[split]))
    text = frame.format(L=_pick(rng, PLACES[split]), Q=_pick(rng, ENDS[split]), S=_pick(rng, STOPS[split]),
                        I=_picture(rng, split), C="colour" if rng.random() < 0.5 else "color", **slots)
    text = _pick(rng, FILLERS[split]) + text
    if split == "train":
        text = _unknown_filler(rng, text)
    return text[0].upper() + text[1:] if rng.random() < 0.5 else text


def _phrases(rng, split, color, shape):
    """Plural, singular with article, and bare singular object phrases."""
    noun = shape or _pick(rng, NOUNS[split])
    words = f"{color} {noun}" if color else noun
    return {"P": words + "s", "A": f"{_article(words)} {words}", "N": words}


def ask(task, scene, rng, split="train", claim_share=CLAIM_SHARE):
    """(question in a visitor's words, answer) for a task about a scene; the same choice of
    what to ask as shapes.question_for, only worded from the grammar; in training, a share
    `claim_share` of identify questions check a claim instead."""
    if task == "identify" and split == "train" and rng.random() < claim_share:
        return claim(scene, rng, split)
    objs = scene["objects"]
    template_q, answer = question_for(task, scene, rng)
    if task == "caption":
        return _fill(rng, split, _pick(rng, CAPTION[split])), caption(objs)
    if task in ("count", "identify"):
        color = next((c for c in COLORS if f" {c} " in f" {template_q} "), None)
        shape = next((s for s in SHAPES if f" {s} " in f" {template_q} " or f" {s}s " in f" {template_q} "), None)
        frames = COUNT if task == "count" else IDENTIFY
        return _fill(rng, split, _pick(rng, frames[split]), **_phrases(rng, split, color, shape)), answer
    if "What color is the" in template_q:
        shape = template_q.split("the ")[1].split("?")[0]
        return _fill(rng, split, _pick(rng, COLOR_OF[split]), s=shape), answer
    if "What shape is the" in template_q:
        color = template_q.split("the ")[1].split(" ")[0]
        return _fill(rng, split, _pick(rng, SHAPE_OF[split]), c=color, n=_pick(rng, NOUNS[split])), answer
    return _fill(rng, split, _pick(rng, COLORS_COUNT[split])), answer


def claim(scene, rng, split="train"):
    """(a Yes/No question checking a claim about the scene: the colour of its only shape of a kind,
    the shape of its only object of a colour, or a count; "Yes." or "No.", half each where it can)."""
    shapes = [o["shape"] for o in scene["objects"]]
    colors = [o["color"] for o in scene["objects"]]
    single_shapes = [s for s in SHAPES if shapes.count(s) == 1]
    single_colors = [c for c in COLORS if colors.count(c) == 1]
    kind = _pick(rng, ["count"] + ["color"] * bool(single_shapes) + ["shape"] * bool(single_colors))
    yes = rng.random() < 0.5
    if kind == "color":
        shape = _pick(rng, single_shapes)
        truth = colors[shapes.index(shape)]
        color = truth if yes else _pick(rng, [c for c in COLORS if c != truth])
        return _fill(rng, split, _pick(rng, CLAIM_COLOR[split]), s=shape, c=color), "Yes." if yes else "No."
    if kind == "shape":
        color = _pick(rng, single_colors)
        truth = shapes[colors.index(color)]
        shape = truth if yes else _pick(rng, [s for s in SHAPES if s != truth])
        return _fill(rng, split, _pick(rng, CLAIM_SHAPE[split]), c=color, s=shape, n=_pick(rng, NOUNS[split])), "Yes." if yes else "No."
    template_q, answer = question_for("count", scene, rng)
    color = next((c for c in COLORS if f" {c} " in f" {template_q} "), None)
    shape = next((s for s in SHAPES if f" {s}s " in f" {template_q} "), None)
    n = int(answer)
    yes = yes and n >= 2
    k = n if yes else _pick(rng, [k for k in range(2, 10) if k != n and (abs(k - n) == 1 or rng.random() < 0.3)] or [n + 1])
    words = str(k) if rng.random() < 0.5 else NUMBER_WORDS[k]
    return _fill(rng, split, _pick(rng, CLAIM_COUNT[split]), k=words, **_phrases(rng, split, color, shape)), "Yes." if yes else "No."


def off_topic(rng, split="train"):
    """(a question GVT-tiny cannot answer, REFUSAL). In training, half the things asked about
    are made-up words, so any unknown thing, not only the listed ones, gets the refusal."""
    if rng.random() < 0.5:
        return _fill(rng, split, _pick(rng, GENERAL[split]) + "{Q}"), REFUSAL
    frame = _pick(rng, ABOUT_THING[split])
    # "describe the <word never seen>" is more likely the picture ("describe the board") than a thing it has not got.
    made_up = split == "train" and rng.random() < 0.5 and not frame.startswith("describe")
    return _fill(rng, split, frame, T=unknown_word(rng) if made_up else _pick(rng, THINGS[split])), REFUSAL


def vocabulary_texts():
    """Every word of the training grammar (the tokenizer gives each one token)."""
    texts = [REFUSAL]
    for table in (PICTURES, PLACES, NOUNS, FILLERS, COUNT, IDENTIFY, COLOR_OF, SHAPE_OF, COLORS_COUNT, CAPTION, GENERAL,
                  THINGS, ABOUT_THING, CLAIM_COLOR, CLAIM_SHAPE, CLAIM_COUNT):
        texts += [re.sub(r"\{\w\}", " ", t) for t in table["train"]]
    return texts + ["colour color colours colors"]
