"""Checks that ByteWordTokenizer.encode/decode give exactly what the app's JS
tokenizer (@huggingface/tokenizers in ../node_modules) gives, over every Shapes
World template and answer plus odd strings (unknown words, unicode, emoji,
whitespace runs, special tokens glued to text). Needs node; run from training/:

  /usr/bin/python3 -m gvt.check_tokenizer
"""

import itertools
import json
import os
import subprocess
import sys
import tempfile

from .tokenizer import COLORS, NUMBER_WORDS, SHAPES, ByteWordTokenizer, shapes_world_texts

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

JS = r"""
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
const dir = process.argv[1];
const read = (f) => JSON.parse(readFileSync(dir + '/' + f, 'utf8'));
const tok = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
const out = read('texts.json').map((s) => {
  const ids = s.length === 0 ? [] : tok.encode(s, { add_special_tokens: false }).ids;
  return { ids, text: ids.length ? tok.decode(ids, { skip_special_tokens: true }) : '' };
});
console.log(JSON.stringify(out));
"""

ODD = [
    "<Img>", "</Img>", "<Img></Img>", "<Img>x</Img>How many", "<|endoftext|>", "<pad>", "a<Img", "</Img>>", "<</Img>",
    "How many zebras are there?", "Ünïcödé wörds ñ", "日本語のテキスト", "emoji 🙂🚀👍🏽 ok", "it's they're we've I'm you'll he'd IT'S",
    "  leading", "trailing   ", "tabs\tand\nnew\r\nlines\n\n\n", "a\u00a0b\u2003c", "x\x1cy\x1fz", "12345 3.14 1,000,000",
    "!!! ??? ...", "'''s", " 's", "$100 @user #tag", "Ⅻ ½ ²", "\ufeffBOM", "combining e\u0301", "", " ", "\n", "RED Circle",
    "Question: What color is the star? Answer: red\n", "a\ud800b", "IS THERE A RED CIRCLE?", "HoW MaNy StArS dO yOu SeE",
    "İstanbul ΣΟΦΟΣ ΌΣΟΣ ẞ ǅ", "Question: Is there a red circle? Answer:",
]


def test_strings():
    texts = list(shapes_world_texts()) + ODD
    # A sample of canonical captions (prompt + answer) over the whole grammar.
    groups = [f"{n} {c} {s}{'s' if n != 'one' else ''}" for n, c, s in itertools.product(NUMBER_WORDS[1:4], COLORS, SHAPES)]
    for i in range(0, len(groups) - 2, 7):
        texts.append("Describe the image in detail in a sentence: This is an image of " + f"{groups[i]}, {groups[i + 1]} and {groups[i + 2]}.")
    return texts


def main():
    tok = ByteWordTokenizer()
    texts = test_strings()
    with tempfile.TemporaryDirectory() as tmp:
        tok.save(tmp)
        with open(os.path.join(tmp, "texts.json"), "w", encoding="utf-8") as f:
            json.dump(texts, f, ensure_ascii=True)  # \ud800 survives only as an escape
        js = subprocess.run(["node", "--input-type=module", "-e", JS, tmp], cwd=REPO, capture_output=True, text=True, check=True)
    results = json.loads(js.stdout)
    bad = 0
    for text, got in zip(texts, results):
        ids = tok.encode(text)
        if got["ids"] != ids or got["text"] != tok.decode(ids):
            bad += 1
            print(f"MISMATCH {text!r}: js {got} python {ids} {tok.decode(ids)!r}")
    print(f"{len(texts)} strings, {bad} mismatches (vocab {len(tok)}, eos id {tok.eos_id})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
