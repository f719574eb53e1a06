"""The vision graph's variant for onnxruntime's CPU kernels (WASM in the browser, native in Node).

From a graph quantize.py made (int8 weights behind DequantizeLinear, float32 arithmetic):
  - each DequantizeLinear -> MatMul becomes com.microsoft DynamicQuantizeMatMul on the same int8 weights and
    scales: the activations are quantized to uint8 per run and the product is taken in integers, which
    WebAssembly's 128-bit SIMD does about twice as fast as float32;
  - each exact GELU (x * 0.5 * (1 + erf(x / sqrt 2)), as torch exports it) becomes com.microsoft FastGelu,
    its tanh form, because onnxruntime's WASM erf is several times slower than its tanh.
WebGPU has no DynamicQuantizeMatMul kernel, so packages keep the float graph beside this one (manifest role
vision_encoder_int8; training/README.md, "The vision graph in integer arithmetic", has the timings and the
scores).

  python3 -m gvt.cpu_graph --src PKG/vision_encoder.onnx --out PKG/vision_encoder_int8.onnx
"""

import argparse
import math

import numpy as np
import onnx
from onnx import helper, numpy_helper


def _constants(g):
    """Scalar values of Constant nodes and initializers, by output name."""
    values = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    for n in g.node:
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            values[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    return {k: float(v) for k, v in values.items() if np.size(v) == 1}


def _is(value, target):
    return value is not None and math.isclose(value, target, rel_tol=1e-5)


def _gelus(g, nodes, users):
    """Yields (x, output, node indices) for each Div -> Erf -> Add 1 -> Mul x -> Mul 0.5 chain.
    users: the indices of the nodes reading each name."""
    consts = _constants(g)
    made = {o: i for i, n in enumerate(nodes) for o in n.output}

    def only_user(name, op):
        found = users.get(name, [])
        return found[0] if len(found) == 1 and nodes[found[0]].op_type == op else None

    def other(i, name):
        a, b = nodes[i].input
        return b if a == name else a

    for e, erf in enumerate(nodes):
        if erf.op_type != "Erf":
            continue
        div = made.get(erf.input[0])
        if div is None or nodes[div].op_type != "Div" or not _is(consts.get(nodes[div].input[1]), math.sqrt(2)):
            continue
        x = nodes[div].input[0]
        add = only_user(erf.output[0], "Add")
        if add is None or not _is(consts.get(other(add, erf.output[0])), 1.0):
            continue
        mul = only_user(nodes[add].output[0], "Mul")
        if mul is None or other(mul, nodes[add].output[0]) != x:
            continue
        half = only_user(nodes[mul].output[0], "Mul")
        if half is None or not _is(consts.get(other(half, nodes[mul].output[0])), 0.5):
            continue
        yield x, nodes[half].output[0], [div, e, add, mul, half]


def cpu_graph(model):
    """Rewrites `model` in place; returns (matmuls, gelus) replaced."""
    g = model.graph
    nodes = list(g.node)
    users = {}
    for i, n in enumerate(nodes):
        for name in n.input:
            users.setdefault(name, []).append(i)
    replaced, dropped = {}, set()
    for x, out, chain in list(_gelus(g, nodes, users)):
        last = nodes[chain[-1]]
        replaced[chain[-1]] = helper.make_node("FastGelu", [x], [out], domain="com.microsoft", name=last.name + "_FastGelu")
        dropped.update(chain[:-1])
    gelus = len(replaced)
    dequantized = {n.output[0]: i for i, n in enumerate(nodes) if n.op_type == "DequantizeLinear"}
    for i, n in enumerate(nodes):
        deq = dequantized.get(n.input[1]) if n.op_type == "MatMul" and len(n.input) == 2 else None
        if deq is not None and len(users[n.input[1]]) == 1:
            replaced[i] = helper.make_node("DynamicQuantizeMatMul", [n.input[0], *nodes[deq].input], list(n.output),
                                           domain="com.microsoft", name=n.name)
            dropped.add(deq)
    matmuls = len(replaced) - gelus
    kept = [replaced.get(i, n) for i, n in enumerate(nodes) if i not in dropped]
    read = {name for n in kept for name in n.input} | {o.name for o in g.output}
    kept = [n for n in kept if n.op_type != "Constant" or n.output[0] in read]  # the constants of the chains gone
    del g.node[:]
    g.node.extend(kept)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return matmuls, gelus


def write_cpu_graph(src, dst):
    model = onnx.load(src)
    counts = cpu_graph(model)
    onnx.save(model, dst)
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    matmuls, gelus = write_cpu_graph(args.src, args.out)
    print(f"{matmuls} MatMuls -> DynamicQuantizeMatMul, {gelus} GELUs -> FastGelu")


if __name__ == "__main__":
    main()
