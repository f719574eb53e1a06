"""ONNX export and the dtype variants transformers.js picks by file suffix.

For every graph NAME three files are written, as the Hub repos name them:
  onnx/NAME.onnx       float32 (torch.onnx.export, opset 17)
  onnx/NAME_fp16.onnx  float16 weights and arithmetic; float inputs/outputs stay float32
                       (Cast nodes at the edges, like onnxconverter's keep_io_types)
  onnx/NAME_q4.onnx    float32 activations, every MatMul with a constant weight
                       becomes com.microsoft MatMulNBits (4 bits, block 32,
                       symmetric: no zero points, so ORT uses 8); Gather
                       (embedding tables) stays float32, as in the real _q4 files
"""

import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from gvt.quantize import quantize_model

OPSET = 17
FP16_MAX = 65504.0


def export(module, args, path, input_names, output_names, dynamic_axes):
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    got = [i.name for i in model.graph.input]
    missing = [n for n in input_names if n not in got]
    if missing:
        raise RuntimeError(f"{os.path.basename(path)}: torch dropped inputs {missing} (unused in the graph)")
    return model


def finish(model, path):
    """Strips torch's doc strings and saves (so bytes depend only on the graph)."""
    model.producer_name = "gvt-web hub_fixtures"
    model.producer_version = "1"
    for node in model.graph.node:
        node.doc_string = ""
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _fp16_tensor(t):
    arr = numpy_helper.to_array(t).astype(np.float32)
    return numpy_helper.from_array(np.clip(arr, -FP16_MAX, FP16_MAX).astype(np.float16), t.name)


def _to_fp16_graph(graph):
    """Converts one graph's float tensors to float16 in place (recursing into If/Loop bodies)."""
    for i, t in enumerate(graph.initializer):
        if t.data_type == TensorProto.FLOAT:
            graph.initializer[i].CopyFrom(_fp16_tensor(t))
    for node in graph.node:
        for attr in node.attribute:
            if node.op_type == "Cast" and attr.name == "to" and attr.i == TensorProto.FLOAT:
                attr.i = TensorProto.FLOAT16
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == TensorProto.FLOAT:
                attr.t.CopyFrom(_fp16_tensor(attr.t))
            if attr.type == onnx.AttributeProto.GRAPH:
                _to_fp16_graph(attr.g)
    del graph.value_info[:]


def _rename_uses(graph, old, new):
    """Points every node input and output named `old` at `new`."""
    for node in graph.node:
        for names in (node.input, node.output):
            for k, name in enumerate(names):
                if name == old:
                    names[k] = new


def to_fp16(model):
    """float16 copy of a float32 model whose float inputs and outputs stay float32."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    _to_fp16_graph(g)
    head, tail = [], []
    for inp in g.input:
        if inp.type.tensor_type.elem_type == TensorProto.FLOAT:
            _rename_uses(g, inp.name, inp.name + "_fp16")
            head.append(helper.make_node("Cast", [inp.name], [inp.name + "_fp16"], to=TensorProto.FLOAT16, name=inp.name + "_to_fp16"))
    for out in g.output:
        if out.type.tensor_type.elem_type == TensorProto.FLOAT:
            _rename_uses(g, out.name, out.name + "_fp16")
            tail.append(helper.make_node("Cast", [out.name + "_fp16"], [out.name], to=TensorProto.FLOAT, name=out.name + "_to_fp32"))
    nodes = head + list(g.node) + tail
    del g.node[:]
    g.node.extend(nodes)
    return m


def to_q4(model, block=32):
    """MatMulNBits copy of a float32 model. Returns (model, number of MatMuls quantized)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    return m, quantize_model(m, "int4", block)


def save_variants(model, onnx_dir, name):
    """Writes NAME.onnx, NAME_fp16.onnx, NAME_q4.onnx; returns the q4 MatMul count."""
    os.makedirs(onnx_dir, exist_ok=True)
    finish(model, os.path.join(onnx_dir, name + ".onnx"))
    finish(to_fp16(model), os.path.join(onnx_dir, name + "_fp16.onnx"))
    q4, count = to_q4(model)
    # The checker does not know contrib ops' schemas well; save without it.
    q4.producer_name = "gvt-web hub_fixtures"
    q4.producer_version = "1"
    for node in q4.graph.node:
        node.doc_string = ""
    onnx.save(q4, os.path.join(onnx_dir, name + "_q4.onnx"))
    return count
