"""Weight-only quantization of exported graphs with python3-onnx alone.

Every MatMul whose second input is a 2-D float initializer [K, N] becomes either
  int8: DequantizeLinear(int8 weight, per-column scale, axis 1) -> MatMul (and each Conv kernel
        DequantizeLinear(int8, per-output-channel scale, axis 0) -> Conv), or
  int4: com.microsoft MatMulNBits (bits 4, block 32 along K, symmetric, zero point 8).
Activations stay float32. onnxruntime-web (WASM, WebGPU) runs both.

  python3 -m gvt.quantize --src PKG_FP32 --out PKG --vision int8 --lm int4
"""

import argparse
import hashlib
import json
import os
import shutil

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

from .cpu_graph import write_cpu_graph

GRAPHS = {"vision_encoder": "vision_encoder.onnx", "embed_tokens": "embed_tokens.onnx", "decoder": "decoder_model_merged.onnx"}
CPU_VISION_FILE = "vision_encoder_int8.onnx"


def _int8(w):
    scale = np.maximum(np.abs(w).max(0), 1e-8) / 127.0  # per output column
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def int4_blocks(w, block=32):
    """w [K, N] -> packed uint8 [N, K/block, block/2], scales [N * K/block] (zero point 8)."""
    k, n = w.shape
    blocks = k // block
    wt = w.T.reshape(n, blocks, block)
    scale = np.maximum(np.abs(wt).max(-1), 1e-8) / 7.0
    q = (np.clip(np.round(wt / scale[..., None]), -8, 7) + 8).astype(np.uint8)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    return packed, scale.astype(np.float32).reshape(-1)


def _dequantized(g, new_nodes, base, q, scale, axis):
    """Adds int8 weight q with its scale (zero point 0) and the DequantizeLinear that reads it; returns its output."""
    g.initializer.extend([numpy_helper.from_array(q, base + "_q"), numpy_helper.from_array(scale, base + "_scale"),
                          numpy_helper.from_array(np.zeros(len(scale), np.int8), base + "_zp")])
    new_nodes.append(helper.make_node("DequantizeLinear", [base + "_q", base + "_scale", base + "_zp"], [base + "_deq"],
                                      axis=axis, name=base + "_DequantizeLinear"))
    return base + "_deq"


def _quantize_conv(g, node, inits, users, new_nodes, drop):
    """A Conv's float32 kernel used once -> int8 with a scale per output channel (the conv stem holds a third of the
    vision encoder's float weights). Appends the nodes and returns True when it did."""
    init = inits.get(node.input[1])
    if init is None or len(init.dims) != 4 or init.data_type != TensorProto.FLOAT or users.get(node.input[1]) != 1:
        return False
    w = numpy_helper.to_array(init).astype(np.float32)
    q, scale = _int8(w.reshape(w.shape[0], -1).T)
    drop.add(node.input[1])
    base = node.input[1].replace("/", "_").replace(".", "_").replace(":", "_")
    deq = _dequantized(g, new_nodes, base, q.T.reshape(w.shape), scale, axis=0)
    new_nodes.append(helper.make_node("Conv", [node.input[0], deq, *node.input[2:]], list(node.output), name=node.name,
                                      **{a.name: helper.get_attribute_value(a) for a in node.attribute}))
    return True


def quantize_model(model, mode, block=32):
    """Rewrites `model` in place: each MatMul by a float32 weight used once becomes int8
    (DequantizeLinear -> MatMul) or 4-bit MatMulNBits, and in int8 each Conv kernel too. Returns how many were
    quantized."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    users = {}
    for node in g.node:
        for name in node.input:
            users[name] = users.get(name, 0) + 1
    new_nodes, drop, done = [], set(), 0
    for node in g.node:
        if mode == "int8" and node.op_type == "Conv" and _quantize_conv(g, node, inits, users, new_nodes, drop):
            done += 1
            continue
        w_name = node.input[1] if node.op_type == "MatMul" and len(node.input) == 2 else None
        init = inits.get(w_name) if w_name else None
        ok = init is not None and len(init.dims) == 2 and init.data_type == TensorProto.FLOAT and users.get(w_name) == 1
        if ok and mode == "int4" and init.dims[0] % block:
            ok = False
        if not ok:
            new_nodes.append(node)
            continue
        w = numpy_helper.to_array(init).astype(np.float32)
        k, n = w.shape
        base = w_name.replace("/", "_").replace(".", "_")
        drop.add(w_name)
        if mode == "int8":
            q, scale = _int8(w)
            deq = _dequantized(g, new_nodes, base, q, scale, axis=1)
            new_nodes.append(helper.make_node("MatMul", [node.input[0], deq], list(node.output), name=node.name))
        else:
            packed, scale = int4_blocks(w, block)
            g.initializer.extend([numpy_helper.from_array(packed, base + "_q4"), numpy_helper.from_array(scale, base + "_scales")])
            new_nodes.append(helper.make_node("MatMulNBits", [node.input[0], base + "_q4", base + "_scales"], list(node.output),
                                              domain="com.microsoft", K=k, N=n, bits=4, block_size=block,
                                              name=node.name + "_Q4"))
        done += 1
    kept = [i for i in g.initializer if i.name not in drop]
    del g.initializer[:]
    g.initializer.extend(kept)
    del g.node[:]
    g.node.extend(new_nodes)
    if mode == "int4" and done and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return done


def quantize_graph(src, dst, mode, block=32):
    """mode 'int8' | 'int4' | 'fp32'. Returns how many MatMuls were quantized."""
    model = onnx.load(src)
    done = 0 if mode == "fp32" else quantize_model(model, mode, block)
    onnx.save(model, dst)
    if mode == "int8":
        onnx.checker.check_model(onnx.load(dst))
    return done


def _entry(folder, name):
    with open(os.path.join(folder, name), "rb") as f:
        data = f.read()
    return {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def quantize_package(src, out, vision="int8", lm="int4", embed="fp32", note="", cpu_vision=False):
    """Copies package src to out with quantized graphs and a manifest whose file entries match. With cpu_vision
    (and vision int8), also the vision graph's integer-arithmetic variant for WASM (cpu_graph.py)."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(src, "manifest.json")) as f:
        manifest = json.load(f)
    modes = {"vision_encoder": vision, "embed_tokens": embed, "decoder": lm}
    counts = {}
    for role, mode in modes.items():
        path = manifest["files"][role]["path"]
        counts[role] = quantize_graph(os.path.join(src, path), os.path.join(out, path), mode)
    for role in ("tokenizer", "tokenizer_config"):
        path = manifest["files"][role]["path"]
        if os.path.abspath(src) != os.path.abspath(out):
            shutil.copyfile(os.path.join(src, path), os.path.join(out, path))
    files = {}
    for role, entry in manifest["files"].items():
        files[role] = _entry(out, entry["path"])
        if role == "vision_encoder" and cpu_vision and vision == "int8":
            write_cpu_graph(os.path.join(out, entry["path"]), os.path.join(out, CPU_VISION_FILE))
            files["vision_encoder_int8"] = _entry(out, CPU_VISION_FILE)
    manifest["files"] = files
    if note:
        manifest["description"] = (manifest.get("description", "") + " " + note).strip()
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
    return manifest, counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vision", choices=["fp32", "int8", "int4"], default="int8")
    ap.add_argument("--lm", choices=["fp32", "int8", "int4"], default="int4")
    ap.add_argument("--embed", choices=["fp32"], default="fp32")
    args = ap.parse_args()
    manifest, counts = quantize_package(args.src, args.out, args.vision, args.lm, args.embed)
    total = sum(e["bytes"] for e in manifest["files"].values())
    print(json.dumps({"quantized_matmuls": counts, "bytes": total}))


if __name__ == "__main__":
    main()
