"""Exports a GVT model + tokenizer to a GVT Web package folder: three ONNX graphs
(opset 17), tokenizer files and manifest.json in the exact shape that
src/engine/manifest.ts validates."""

import hashlib
import json
import os

import onnx
import torch
from torch import nn

from .model import GVT
from .tokenizer import EOS, ByteWordTokenizer

OPSET = 17
SCENE_THRESHOLD = 0.5
TEMPLATE = "<Img>{image}</Img>{question}"
TASKS = {
    "caption": "Describe the image in detail in a sentence: This is an image of",
    "count": "How many {object} are there in the image?",
    "identify": "Does {object} exist in the image?",
    "vqa": "Question: {question} Answer:",
}
FILES = {
    "vision_encoder": "vision_encoder.onnx",
    "embed_tokens": "embed_tokens.onnx",
    "decoder": "decoder_model_merged.onnx",
    "tokenizer": "tokenizer.json",
    "tokenizer_config": "tokenizer_config.json",
}


class _Vision(nn.Module):
    """pixel_values -> (image_features, scene_score): the visual tokens and the scene check."""

    def __init__(self, vision):
        super().__init__()
        self.vision = vision

    def forward(self, pixel_values):
        return self.vision.both(pixel_values)


class _Embed(nn.Module):
    def __init__(self, lm):
        super().__init__()
        self.embed = lm.embed

    def forward(self, input_ids):
        return self.embed(input_ids)


class _Decoder(nn.Module):
    """Flat signature for export: (embeds, mask, positions, k0, v0, k1, v1, ...).

    The cache is sequence first, [B, length, H, hd], and each call also returns
    its own rows as new.i.*: the app's WASM loop appends those to one buffer per
    layer and feeds the filled part back as a view, instead of copying the whole
    cache out of onnxruntime every token (src/engine/kv-cache.ts). present.i.*
    (the whole cache) is what WebGPU feeds back, as it stays on the GPU."""

    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, inputs_embeds, attention_mask, position_ids, *flat_past):
        past = [(k.transpose(1, 2), v.transpose(1, 2)) for k, v in zip(flat_past[0::2], flat_past[1::2])]
        logits, present = self.lm(inputs_embeds, attention_mask, position_ids, past)
        whole = [t.transpose(1, 2) for kv in present for t in kv]
        past_len = flat_past[0].shape[1]
        return (logits, *whole, *[t[:, past_len:] for t in whole])


def _export(module, args, path, inputs, outputs, axes):
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def export_graphs(model: GVT, folder):
    cfg = model.cfg
    s = cfg.image_size
    _export(_Vision(model.vision), (torch.zeros(1, 3, s, s),), os.path.join(folder, FILES["vision_encoder"]),
            ["pixel_values"], ["image_features", "scene_score"],
            {"pixel_values": {0: "batch"}, "image_features": {0: "batch"}, "scene_score": {0: "batch"}})

    _export(_Embed(model.lm), (torch.zeros(1, 3, dtype=torch.long),), os.path.join(folder, FILES["embed_tokens"]),
            ["input_ids"], ["inputs_embeds"], {"input_ids": {0: "batch", 1: "seq"}, "inputs_embeds": {0: "batch", 1: "seq"}})

    # Traced with past 3 and seq 2 (not past 0): a zero-length dim while tracing
    # risks shapes being specialised away. With dynamic axes the same graph takes
    # past 0 (empty [B,H,0,hd] tensors: Concat with an empty input is valid ONNX).
    past_len, seq = 3, 2
    names_in = ["inputs_embeds", "attention_mask", "position_ids"]
    names_out = ["logits"]
    names_new = []
    axes = {"inputs_embeds": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"},
            "position_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch", 1: "seq"}}
    args = [torch.randn(1, seq, cfg.lm_width), torch.ones(1, past_len + seq, dtype=torch.long),
            torch.arange(past_len, past_len + seq)[None]]
    for i in range(cfg.lm_layers):
        for part in ("key", "value"):
            names_in.append(f"past_key_values.{i}.{part}")
            names_out.append(f"present.{i}.{part}")
            names_new.append(f"new.{i}.{part}")
            axes[names_in[-1]] = {0: "batch", 1: "past"}
            axes[names_out[-1]] = {0: "batch", 1: "total"}
            axes[names_new[-1]] = {0: "batch", 1: "seq"}
            args.append(torch.randn(1, past_len, cfg.lm_heads, cfg.head_dim))
    _export(_Decoder(model.lm), tuple(args), os.path.join(folder, FILES["decoder"]), names_in, names_out + names_new, axes)


def _file_entry(folder, name):
    with open(os.path.join(folder, name), "rb") as f:
        data = f.read()
    return {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def export_package(model: GVT, tok: ByteWordTokenizer, folder, package_id, name, description="", max_new_tokens=32,
                   scene_threshold=SCENE_THRESHOLD):
    """Writes the whole package; returns the manifest dict."""
    cfg = model.cfg
    assert len(tok) == cfg.vocab_size, f"tokenizer has {len(tok)} ids, model vocab_size is {cfg.vocab_size}"
    os.makedirs(folder, exist_ok=True)
    export_graphs(model, folder)
    tok.save(folder)
    manifest = {
        "format": "gvt-web-package",
        "format_version": 1,
        "id": package_id,
        "name": name,
        "description": description,
        "image": {"size": cfg.image_size, "resize": "bilinear", "fit": "letterbox", "mean": list(cfg.mean), "std": list(cfg.std)},
        "visual_tokens": {"count": cfg.num_latents, "width": cfg.lm_width},
        "prompt": {"template": TEMPLATE},
        "tokens": {"eos": EOS, "stop_strings": ["\n"]},
        "tasks": dict(TASKS),
        "generation": {"max_new_tokens": max_new_tokens},
        # Below the threshold the app says the image does not look like a Shapes World scene.
        "scene_check": {"output": "scene_score", "threshold": scene_threshold, "domain": "Shapes World scene"},
        "kv_cache": {"layers": cfg.lm_layers, "kv_heads": cfg.lm_heads, "head_dim": cfg.head_dim,
                     "max_length": cfg.max_positions},
        "files": {role: _file_entry(folder, path) for role, path in FILES.items()},
    }
    with open(os.path.join(folder, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    return manifest
