"""A finished phase's weights with the vocabulary they were trained with, so a later phase (or a
rerun) goes on from them. When the tokenizer has grown since (the grammar's training part got new
words), each word it had keeps its rows and a new word starts from the mean of the rows of the
bytes it used to be read as, so the model first reads it as before and then learns it as a word."""

import os

import torch

from .tokenizer import SPECIAL_TOKENS

VOCAB_ROWS = ("lm.embed.weight", "lm.head.weight")


def save_whole(obj, path):
    """torch.save that a stop cannot leave half-written: a rerun finds the old file or the new one."""
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def save_phase(path, model, tok):
    save_whole({"model": model.state_dict(), "config": model.cfg.to_dict(), "vocab": tok.vocab}, path)


def grow_vocab(state, old_vocab, tok):
    """state with its vocabulary rows laid out for tok; returns the words that were new."""
    old_ids = {**old_vocab, **{t: len(old_vocab) + i for i, t in enumerate(SPECIAL_TOKENS)}}
    new_ids = {**tok.vocab, **tok.special}
    new_words = [t for t in new_ids if t not in old_ids]
    for key in VOCAB_ROWS:
        rows = state[key]
        out = torch.empty(len(new_ids), rows.shape[1], dtype=rows.dtype)
        for token, i in new_ids.items():
            out[i] = rows[old_ids[token]] if token in old_ids else rows[[old_ids[ch] for ch in token]].mean(0)
        state[key] = out
    return new_words


def load_phase(path, model, tok, log):
    ck = torch.load(path)
    state = ck["model"]
    if ck["vocab"] != tok.vocab:
        gone = [t for t in ck["vocab"] if t not in tok.vocab]
        if gone:
            raise ValueError(f"{path}: the tokenizer has lost words the model was trained on ({gone[:5]}…): retrain")
        log({"phase": "vocab_grown", "from": path, "new_words": grow_vocab(state, ck["vocab"], tok)})
    model.load_state_dict(state)
