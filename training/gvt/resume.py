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


def _ids(vocab):
    return {**vocab, **{t: len(vocab) + i for i, t in enumerate(SPECIAL_TOKENS)}}


def _grown(rows, old_ids, new_ids):
    out = torch.empty(len(new_ids), rows.shape[1], dtype=rows.dtype)
    for token, i in new_ids.items():
        out[i] = rows[old_ids[token]] if token in old_ids else rows[[old_ids[ch] for ch in token]].mean(0)
    return out


def grow_vocab(state, old_vocab, tok, moments=()):
    """state (and each of moments, dicts of an optimiser's per-row tensors for VOCAB_ROWS' weights)
    with its vocabulary rows laid out for tok; returns the words that were new."""
    gone = [t for t in old_vocab if t not in tok.vocab]
    if gone:
        raise ValueError(f"the tokenizer has lost words the model was trained on ({gone[:5]}…): retrain")
    old_ids, new_ids = _ids(old_vocab), {**tok.vocab, **tok.special}
    for key in VOCAB_ROWS:
        state[key] = _grown(state[key], old_ids, new_ids)
    for moment in moments:
        for key, value in moment.items():
            if torch.is_tensor(value) and value.dim() == 2:
                moment[key] = _grown(value, old_ids, new_ids)
    return [t for t in new_ids if t not in old_ids]


def grow_checkpoint(ck, tok, trainable, model, log):
    """A stage checkpoint saved with a smaller vocabulary (its "vocab"; one without is taken as tok's)
    grown to tok's, weights and AdamW moments alike, so a grammar that gained words mid-stage goes on."""
    old = ck.get("vocab", tok.vocab)
    if old == tok.vocab:
        if ck["model"][VOCAB_ROWS[0]].shape[0] != len(tok):
            raise ValueError("the checkpoint has no vocabulary and the tokenizer has changed since it was saved: "
                             "add the vocabulary it was trained with as its \"vocab\"")
        return
    rows = {id(dict(model.named_parameters())[key]) for key in VOCAB_ROWS}
    moments = [ck["opt"]["state"][i] for i, p in enumerate(trainable) if id(p) in rows and i in ck["opt"]["state"]]
    log({"phase": "vocab_grown", "new_words": grow_vocab(ck["model"], old, tok, moments)})


def load_phase(path, model, tok, log):
    ck = torch.load(path)
    state = ck["model"]
    if ck["vocab"] != tok.vocab:
        log({"phase": "vocab_grown", "from": path, "new_words": grow_vocab(state, ck["vocab"], tok)})
    model.load_state_dict(state)
