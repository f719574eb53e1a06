"""A small byte-level BPE trained on a fixed English corpus, written as a
Hugging Face `tokenizer.json` (the format @huggingface/tokenizers reads).

Byte-level means every byte has a token, so any text (any language, emoji)
encodes without an unknown token, as with the real SmolLM2 and BART
tokenizers these stand in for. Training is deterministic: ties between pair
counts are broken by the pair itself.
"""

import re
from collections import Counter

# GPT-2's reversible byte -> printable character map (what ByteLevel uses), shared with GVT-tiny's tokenizer.
from gvt.tokenizer import BYTE_ENCODER as BYTE_CHARS

# A few hundred words of plain English about pictures, so the merges look like
# English subwords ("the", "ing", " cat") rather than noise.
CORPUS = """
The image shows a cat sitting on a red sofa next to a window. A dog is running in the park.
A man is riding a bicycle down the street while a woman walks her dog. There are two cats on the bed.
The picture is a photo of a kitchen with a table, four chairs and a bowl of fruit. What is in the image?
Describe the image in detail. The sky is blue and there are white clouds over the mountains.
A group of people are standing near a bus stop in the city. A car is parked in front of the house.
The astronaut is wearing a white space suit and holding a helmet. A flag is visible behind him.
A cup of coffee sits on a wooden table beside a plate with a croissant. The cat is looking at the camera.
Children are playing football on a green field. A bird is flying over the lake at sunset.
The text on the sign says stop. How many people are in the picture? There are three people.
Is there a dog in the image? Yes, there is a brown dog lying on the grass. No, there is no cat.
The room has a large window, a lamp, a bookshelf full of books and a small green plant.
A train is crossing a bridge over the river. Boats are floating on the water near the shore.
The woman is smiling and holding an umbrella because it is raining. The street is wet.
An orange cat and a black dog are sleeping together on the carpet in the living room.
The photograph shows a plate of pasta with tomato sauce, cheese and fresh basil leaves.
Locate the objects with category name in the image. What does the image describe?
Describe in detail what is shown in the image. Describe with a paragraph what is shown in the image.
What is the text in the image? Locate the region proposals in the image. cat dog cat dog person car
"""

SPLIT = re.compile(r" ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+|\s+")


def train_merges(num_merges, corpus=CORPUS):
    """Returns up to `num_merges` merges [(a, b), ...], most frequent pair first."""
    words = Counter()
    for line in corpus.strip().splitlines():
        for piece in SPLIT.findall(line):
            words[tuple(BYTE_CHARS[b] for b in piece.encode("utf-8"))] += 1
    words = dict(words)
    merges = []
    while len(merges) < num_merges:
        pairs = Counter()
        for word, freq in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += freq
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        joined = best[0] + best[1]
        new_words = {}
        for word, freq in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(joined)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            new_words[tuple(out)] = new_words.get(tuple(out), 0) + freq
        words = new_words
    return merges


def build_vocab(leading_specials, base_size, trailing_specials=()):
    """Vocab of exactly `base_size` ids: leading specials, the 256 byte symbols,
    merges, then trailing specials (BART keeps <mask> last). Returns (vocab, merges)."""
    vocab = {}
    for tok in leading_specials:
        vocab[tok] = len(vocab)
    for b in range(256):
        vocab[BYTE_CHARS[b]] = len(vocab)
    want = base_size - len(vocab) - len(trailing_specials)
    merges = train_merges(want)
    if len(merges) != want:
        raise RuntimeError(f"corpus gives only {len(merges)} merges, {want} needed")
    for a, b in merges:
        vocab[a + b] = len(vocab)
    for tok in trailing_specials:
        vocab[tok] = len(vocab)
    assert len(vocab) == base_size, (len(vocab), base_size)
    return vocab, merges


def added_token(token_id, content, special=True, lstrip=False):
    return {"id": token_id, "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
            "normalized": False, "special": special}


def tokenizer_json(vocab, merges, added_tokens, pre_tokenizer, post_processor):
    """The dict of a `tokenizer.json` (tokenizers 0.20+ layout, merges as pairs)."""
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens,
        "normalizer": None,
        "pre_tokenizer": pre_tokenizer,
        "post_processor": post_processor,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [[a, b] for a, b in merges],
        },
    }


def encode_word(vocab, merges, text):
    """Python BPE of one pre-token (enough to look up the ids of a few fixed words)."""
    symbols = [BYTE_CHARS[b] for b in text.encode("utf-8")]
    ranks = {pair: i for i, pair in enumerate(merges)}
    while len(symbols) > 1:
        pairs = [(ranks.get(p, 1 << 30), i) for i, p in enumerate(zip(symbols, symbols[1:]))]
        rank, i = min(pairs)
        if rank == 1 << 30:
            break
        symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
    return [vocab[s] for s in symbols]
