"""The BART half of the Florence-2 stand-in: encoder, and the decoder in its
two cache branches, exported the way optimum's merged decoder holds them.

The real decoder_model_merged is an `If` on `use_cache_branch`: without a
cache (the first step) the decoder projects `encoder_hidden_states` into the
cross-attention keys/values and returns them; with one, it reads them from
`past_key_values.{i}.encoder.*` and projects nothing. transformers.js sends
`use_cache_branch` = "a cache was given" (src/models/modeling_utils.js,
decoder_forward, huggingface/transformers.js). The stand-in's two branches are
separate exports of one module, so the tests run whichever branch real weights
would run at each step.
"""

import torch
from torch import nn

from .onnx_merge import pass_through_encoder_cache, save_merged_variants
from .onnx_tools import export

D_MODEL = 64
HEADS = 4
ENC_LAYERS = DEC_LAYERS = 2
FFN = 128
# Positions for 577 image tokens + the prompt (the encoder) and a long <OD> answer (the decoder).
MAX_POS = 1024
MASK = -1e4


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = D_MODEL // HEADS
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(D_MODEL, D_MODEL) for _ in range(4))

    def heads(self, x):
        return x.reshape(x.shape[0], x.shape[1], HEADS, self.hd).transpose(1, 2)

    def attend(self, x, k, v, bias):
        q = self.heads(self.q_proj(x)) * (self.hd ** -0.5)
        out = ((q @ k.transpose(-1, -2) + bias).softmax(-1) @ v).transpose(1, 2)
        return self.out_proj(out.reshape(x.shape[0], x.shape[1], D_MODEL))


class EncoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn = Attention()
        self.ln1, self.ln2 = nn.LayerNorm(D_MODEL), nn.LayerNorm(D_MODEL)
        self.fc1, self.fc2 = nn.Linear(D_MODEL, FFN), nn.Linear(FFN, D_MODEL)

    def forward(self, x, bias):
        a = self.self_attn
        x = self.ln1(x + a.attend(x, a.heads(a.k_proj(x)), a.heads(a.v_proj(x)), bias))
        return self.ln2(x + self.fc2(torch.nn.functional.gelu(self.fc1(x))))


class Encoder(nn.Module):
    """(inputs_embeds, attention_mask) -> last_hidden_state."""

    def __init__(self):
        super().__init__()
        self.embed_positions = nn.Embedding(MAX_POS + 2, D_MODEL)
        self.layernorm_embedding = nn.LayerNorm(D_MODEL)
        self.layers = nn.ModuleList(EncoderLayer() for _ in range(ENC_LAYERS))

    def forward(self, inputs_embeds, attention_mask):
        s = inputs_embeds.shape[1]
        x = self.layernorm_embedding(inputs_embeds + self.embed_positions(torch.arange(s) + 2))
        bias = torch.where(attention_mask[:, None, None, :] > 0, torch.zeros(()), torch.full((), MASK))
        for layer in self.layers:
            x = layer(x, bias)
        return x


class DecoderLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.self_attn, self.encoder_attn = Attention(), Attention()
        self.ln1, self.ln2, self.ln3 = (nn.LayerNorm(D_MODEL) for _ in range(3))
        self.fc1, self.fc2 = nn.Linear(D_MODEL, FFN), nn.Linear(FFN, D_MODEL)

    def cross_kv(self, enc):
        c = self.encoder_attn
        return c.heads(c.k_proj(enc)), c.heads(c.v_proj(enc))

    def forward(self, x, self_bias, enc_bias, past_dk, past_dv, ek, ev):
        a = self.self_attn
        k, v = a.heads(a.k_proj(x)), a.heads(a.v_proj(x))
        if past_dk is not None:
            k, v = torch.cat([past_dk, k], dim=2), torch.cat([past_dv, v], dim=2)
        x = self.ln1(x + a.attend(x, k, v, self_bias))
        x = self.ln2(x + self.encoder_attn.attend(x, ek, ev, enc_bias))
        return self.ln3(x + self.fc2(torch.nn.functional.gelu(self.fc1(x)))), k, v


class Decoder(nn.Module):
    """The weights both branches share; `chain` rigs the answer (see florence2.py)."""

    def __init__(self, vocab_size):
        super().__init__()
        self.embed_positions = nn.Embedding(MAX_POS + 2, D_MODEL)
        self.layernorm_embedding = nn.LayerNorm(D_MODEL)
        self.layers = nn.ModuleList(DecoderLayer() for _ in range(DEC_LAYERS))
        self.lm_head = nn.Linear(D_MODEL, vocab_size, bias=False)
        self.chain = nn.Linear(D_MODEL, vocab_size, bias=False)

    def run(self, inputs_embeds, encoder_attention_mask, past_len, past_self, cross):
        t = inputs_embeds.shape[1]
        key_pos = torch.arange(past_len + t)
        query_pos = key_pos[past_len:]
        x = self.layernorm_embedding(inputs_embeds + self.embed_positions(query_pos + 2))
        self_bias = torch.where((key_pos[None, :] <= query_pos[:, None])[None, None], torch.zeros(()),
                                torch.full((), MASK))
        enc_bias = torch.where(encoder_attention_mask[:, None, None, :] > 0, torch.zeros(()), torch.full((), MASK))
        present = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, self_bias, enc_bias, *past_self[i], *cross[i])
            present.append((k, v))
        return self.lm_head(x) + self.chain(inputs_embeds), present


class FirstStep(nn.Module):
    """use_cache_branch false: (inputs_embeds, encoder_attention_mask, encoder_hidden_states)
    -> (logits, present.{i}.decoder.key, .value, present.{i}.encoder.key, .value, ...)."""

    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, inputs_embeds, encoder_attention_mask, encoder_hidden_states):
        cross = [layer.cross_kv(encoder_hidden_states) for layer in self.decoder.layers]
        logits, present = self.decoder.run(inputs_embeds, encoder_attention_mask, 0,
                                           [(None, None)] * DEC_LAYERS, cross)
        return (logits, *[t for (k, v), (ek, ev) in zip(present, cross) for t in (k, v, ek, ev)])


class NextStep(nn.Module):
    """use_cache_branch true: (inputs_embeds, encoder_attention_mask, past .{i}.decoder.key, .value,
    .{i}.encoder.key, .value, ...) -> (logits, present.{i}.decoder.key, .value, ...); the encoder
    entries of the cache pass through unchanged (onnx_merge adds them)."""

    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, inputs_embeds, encoder_attention_mask, *flat_past):
        per_layer = [flat_past[4 * i:4 * i + 4] for i in range(DEC_LAYERS)]
        logits, present = self.decoder.run(inputs_embeds, encoder_attention_mask, flat_past[0].shape[2],
                                           [p[:2] for p in per_layer], [p[2:] for p in per_layer])
        return (logits, *[t for kv in present for t in kv])


def cache_names(prefix):
    """`{prefix}.{i}.decoder|encoder.key|value` in the order transformers.js and optimum use."""
    return [f"{prefix}.{i}.{part}.{kv}" for i in range(DEC_LAYERS) for part in ("decoder", "encoder")
            for kv in ("key", "value")]


def export_decoder(decoder, tmp, onnx_dir):
    """decoder_model_merged{,_fp16,_q4}.onnx: both branches under one If. Returns the q4 MatMul count."""
    s, past, hd = 7, 3, D_MODEL // HEADS
    base = {"inputs_embeds": {0: "batch_size", 1: "decoder_sequence_length"},
            "encoder_attention_mask": {0: "batch_size", 1: "encoder_sequence_length"},
            "logits": {0: "batch_size", 1: "decoder_sequence_length"}}
    present = cache_names("present")
    first_axes = dict(base, encoder_hidden_states={0: "batch_size", 1: "encoder_sequence_length"})
    for name in present:
        first_axes[name] = {0: "batch_size", 2: "encoder_sequence_length" if ".encoder." in name
                            else "decoder_sequence_length"}
    first = export(FirstStep(decoder), (torch.randn(1, 2, D_MODEL), torch.ones(1, s, dtype=torch.long),
                                        torch.randn(1, s, D_MODEL)), tmp,
                   ["inputs_embeds", "encoder_attention_mask", "encoder_hidden_states"], ["logits"] + present,
                   first_axes)
    past_names = cache_names("past_key_values")
    next_axes = dict(base)
    for name in past_names:
        next_axes[name] = {0: "batch_size", 2: "encoder_sequence_length_out" if ".encoder." in name
                           else "past_decoder_sequence_length"}
    for name in present:
        if ".decoder." in name:
            next_axes[name] = {0: "batch_size", 2: "past_decoder_sequence_length + 1"}
    past_args = [torch.randn(1, HEADS, s if ".encoder." in n else past, hd) for n in past_names]
    next_ = export(NextStep(decoder), (torch.randn(1, 1, D_MODEL), torch.ones(1, s, dtype=torch.long), *past_args),
                   tmp, ["inputs_embeds", "encoder_attention_mask"] + past_names,
                   ["logits"] + [n for n in present if ".decoder." in n], next_axes)
    pass_through_encoder_cache(next_)
    return save_merged_variants(first, next_, onnx_dir, "decoder_model_merged")
