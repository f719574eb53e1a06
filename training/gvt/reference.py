"""Greedy generation in PyTorch with the exact layout and call pattern of the
TS engine (src/engine/language-model.ts), so its ids are the ground truth the
exported graphs and the app must reproduce:

  call 1 (past 0):  embed(<Img>) + image_features + embed(</Img>)   -- the image prefix
  call 2 (past P):  embed(question ids)
  call 3.. :        embed([last id]), one token at a time

Stops at EOS (not kept), when the decoded answer contains a stop string (that
token is kept), or at max_new_tokens.
"""

import numpy as np
import torch

from .preprocess import fit
from .tokenizer import ByteWordTokenizer


def pixel_values(image, size, mean, std, resize="bilinear"):
    """PIL image -> [1,3,S,S] float32, as src/engine/image.ts: letterboxed RGB, 0-255 rounded,
    /255, (x - mean) / std in float64, then float32."""
    image = fit(image, size, resize)[0]  # letterboxed; matches the TS resize up to rounding
    x = np.asarray(image, dtype=np.float64).transpose(2, 0, 1) / 255.0
    x = (x - np.array(mean)[:, None, None]) / np.array(std)[:, None, None]
    return torch.from_numpy(x.astype(np.float32))[None]


def split_template(template):
    before, rest = template.split("{image}")
    after, after_question = rest.split("{question}")
    return before, after, after_question


def prompt_ids(tok: ByteWordTokenizer, template, question):
    before, after, after_question = split_template(template)
    return tok.encode(before), tok.encode(after), tok.encode(question + after_question)


@torch.no_grad()
def generate(model, tok: ByteWordTokenizer, pixels, question, template="<Img>{image}</Img>{question}",
             max_new_tokens=32, stop_strings=("\n",)):
    model.eval()
    lm = model.lm
    ids_before, ids_after, question_ids = prompt_ids(tok, template, question)
    features = model.vision(pixels)
    embed = lambda ids: lm.embed(torch.tensor([ids], dtype=torch.long))

    past_len = 0
    past = lm.empty_past()

    def forward(embeds):
        nonlocal past_len, past
        t = embeds.shape[1]
        mask = torch.ones(1, past_len + t, dtype=torch.long)
        pos = torch.arange(past_len, past_len + t)[None]
        logits, past = lm(embeds, mask, pos, past)
        past_len += t
        return logits[0, -1]

    forward(torch.cat([embed(ids_before), features, embed(ids_after)], dim=1))
    logits = forward(embed(question_ids))
    generated, margins, stop = [], [], "max_tokens"
    while len(generated) < max_new_tokens:
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        nxt = int(torch.argmax(logits))  # first maximum, as the TS argmax
        if nxt == tok.eos_id:
            stop = "eos"
            break
        generated.append(nxt)
        if any(s in tok.decode(generated) for s in stop_strings):
            stop = "stop_string"
            break
        if len(generated) == max_new_tokens:
            break
        logits = forward(embed([nxt]))
    return {
        "ids_before": ids_before,
        "ids_after": ids_after,
        "question_ids": question_ids,
        "generated_ids": generated,
        "text": tok.decode(generated),
        "stop_reason": stop,
        # Smallest top-1 / top-2 logit gap: how safe greedy ids are to compare across runtimes.
        "min_top2_margin": min(margins),
    }, features
