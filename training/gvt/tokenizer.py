"""Byte-level word tokenizer, written as a Hugging Face tokenizer.json.

The vocabulary is the 256 GPT-2 byte characters plus whole Shapes World words
and the words of the phrasing grammar's training part ("Ġcircle", "How",
"Ġ3"), with no merges and `ignore_merges`, so a known word is one token and
anything else falls back to one token per UTF-8 byte: every string the user
types tokenizes, none errors. A Lowercase normalizer makes the model's input
case-blind ("IS THERE A RED CIRCLE" reads as "is there a red circle"); answers
keep their case (`encode_target`, training only: the app never encodes them). `encode` mirrors
@huggingface/tokenizers (the app's tokenizer) id for id; check with
training/README.md for the check against the JS library.
"""

import json
import os
import unicodedata

from .phrasing import vocabulary_texts

EOS, PAD, IMG_OPEN, IMG_CLOSE = "<|endoftext|>", "<pad>", "<Img>", "</Img>"
SPECIAL_TOKENS = [EOS, PAD, IMG_OPEN, IMG_CLOSE]

SHAPES = ["circle", "square", "triangle", "star"]
COLORS = ["red", "orange", "yellow", "green", "blue", "purple"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def bytes_to_unicode():
    """GPT-2's byte -> printable character table (the ByteLevel alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {c: b for b, c in BYTE_ENCODER.items()}

# JavaScript's \s (what the JS regex uses); Python's \s differs (it includes \x1c-\x1f).
_JS_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}
_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")


def _is_letter(ch):
    return unicodedata.category(ch).startswith("L")


def _is_number(ch):
    return unicodedata.category(ch).startswith("N")


def _is_space(ch):
    return ch in _JS_SPACE


def _is_other(ch):
    return not (_is_space(ch) or _is_letter(ch) or _is_number(ch))


def pre_tokenize(text):
    """The GPT-2 split  's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+
    as a scanner, alternatives tried in order at each position like the JS regex."""
    out, i, n = [], 0, len(text)

    def run(j, pred):
        while j < n and pred(text[j]):
            j += 1
        return j

    while i < n:
        hit = next((c for c in _CONTRACTIONS if text.startswith(c, i)), None)
        if hit:
            out.append(hit)
            i += len(hit)
            continue
        end = None
        for pred in (_is_letter, _is_number, _is_other):  # " ?X+" for each class, in order
            if text[i] == " " and i + 1 < n and pred(text[i + 1]):
                end = run(i + 1, pred)
                break
            if pred(text[i]):
                end = run(i, pred)
                break
        if end is None:
            # Whitespace: \s+(?!\S) leaves the last space to start the next word; else \s+.
            end = run(i, _is_space)
            if end < n and end - i > 1:
                end -= 1
        out.append(text[i:end])
        i = end
    return out


def _byte_level(piece):
    # Lone surrogates become U+FFFD, as the browser's TextEncoder does.
    clean = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in piece)
    return "".join(BYTE_ENCODER[b] for b in clean.encode("utf-8"))


def shapes_world_texts():
    """Every fixed question, answer and caption word of Shapes World (answers with their leading space)."""
    phrases = []
    for color in [None] + COLORS:
        for shape in SHAPES + ["object"]:
            phrases.append((color, shape))
    texts = [
        "Describe the image in detail in a sentence: This is an image of",
        "Question: How many colors are there? Answer:",
        " Yes.", " No.",
    ]
    for color, shape in phrases:
        words = f"{color} {shape}" if color else shape
        article = "an" if words[0] in "aeiou" else "a"
        texts.append(f"How many {words}s are there in the image?")
        texts.append(f"Does {article} {words} exist in the image?")
    texts += [f"Question: What color is the {s}? Answer:" for s in SHAPES]
    texts += [f"Question: What shape is the {c} object? Answer:" for c in COLORS]
    texts += [f" {w}" for w in COLORS + SHAPES + [str(d) for d in range(10)]]
    caption_words = NUMBER_WORDS + COLORS + SHAPES + [s + "s" for s in SHAPES]
    texts.append(" " + ", ".join(caption_words) + " and x.")
    return texts + vocabulary_texts()


def build_vocab():
    """Byte alphabet (ids 0-255, by byte value), then whole words, sorted; specials follow."""
    alphabet = [BYTE_ENCODER[b] for b in range(256)]
    words = set()
    for text in shapes_world_texts():
        for piece in pre_tokenize(text):
            bare = piece.lstrip(" ")
            if not bare.isalnum():
                continue
            # Both cases and with / without the leading space, so "Red", "red" and " red" stay one token.
            for w in {bare, bare.lower(), bare.capitalize()}:
                words.add(_byte_level(w))
                words.add(_byte_level(" " + w))
    extra = sorted(w for w in words if w not in alphabet)
    return {tok: i for i, tok in enumerate(alphabet + extra)}


class ByteWordTokenizer:
    def __init__(self, vocab=None):
        self.vocab = vocab or build_vocab()
        self.special = {tok: len(self.vocab) + i for i, tok in enumerate(SPECIAL_TOKENS)}
        self.id_to_token = {i: t for t, i in {**self.vocab, **self.special}.items()}
        self.eos_id = self.special[EOS]
        self.pad_id = self.special[PAD]

    def __len__(self):
        return len(self.vocab) + len(self.special)

    def _split_special(self, text):
        """Longest special token match at each position, as the JS DictionarySplitter does."""
        out, start, i = [], 0, 0
        while i < len(text):
            match = max((s for s in self.special if text.startswith(s, i)), key=len, default=None)
            if match:
                if i > start:
                    out.append(text[start:i])
                out.append(match)
                i += len(match)
                start = i
            else:
                i += 1
        if start < len(text):
            out.append(text[start:])
        return out

    def encode(self, text, lowercase=True):
        """What the app's tokenizer gives for text (lower-cased, as its normalizer does)."""
        ids = []
        for section in self._split_special(text):
            if section in self.special:
                ids.append(self.special[section])
                continue
            for piece in pre_tokenize(section.lower() if lowercase else section):
                token = _byte_level(piece)
                if token in self.vocab:
                    ids.append(self.vocab[token])
                else:  # no merges: one token per byte character
                    ids.extend(self.vocab[ch] for ch in token)
        return ids

    def encode_target(self, text):
        """An answer as the model should write it, case kept."""
        return self.encode(text, lowercase=False)

    def decode(self, ids, skip_special_tokens=True):
        """ByteLevel decoder; clean_up_tokenization_spaces is off in the config, so none here."""
        out, pending = [], []
        for i in ids:
            tok = self.id_to_token[int(i)]
            if tok in self.special:
                if pending:
                    out.append(bytes(BYTE_DECODER[c] for c in "".join(pending)).decode("utf-8", "replace"))
                    pending = []
                if not skip_special_tokens:
                    out.append(tok)
            else:
                pending.append(tok)
        if pending:
            out.append(bytes(BYTE_DECODER[c] for c in "".join(pending)).decode("utf-8", "replace"))
        return "".join(out)

    def tokenizer_json(self):
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
                for t, i in self.special.items()
            ],
            "normalizer": {"type": "Lowercase"},
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                "vocab": self.vocab, "merges": [],
            },
        }

    def tokenizer_config(self):
        return {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "eos_token": EOS,
            "pad_token": PAD,
            "bos_token": None,
            "unk_token": None,
            "additional_special_tokens": [IMG_OPEN, IMG_CLOSE],
            "add_bos_token": False,
            "add_prefix_space": False,
            # Decoding must give back the bytes the model produced: no " ." -> "." rewriting.
            "clean_up_tokenization_spaces": False,
            "model_max_length": 1024,
        }

    def save(self, folder):
        """Writes tokenizer.json and tokenizer_config.json; returns their paths."""
        paths = []
        for name, obj in (("tokenizer.json", self.tokenizer_json()), ("tokenizer_config.json", self.tokenizer_config())):
            path = os.path.join(folder, name)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(obj, f, ensure_ascii=False, indent=1)
            paths.append(path)
        return paths
