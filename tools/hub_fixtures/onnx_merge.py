"""A merged decoder as optimum writes it: one graph whose `If` on the bool
input `use_cache_branch` runs the with-cache decoder (then) or the first-step
decoder (else). Each dtype variant converts the two branches on their own and
merges them after, since the fp16 and q4 conversions work on a top-level graph.
"""

import os

import onnx
from onnx import TensorProto, helper, numpy_helper

from .onnx_tools import finish, to_fp16, to_q4

COND = "use_cache_branch"


def _as_branch(model, prefix):
    """The model's graph as an If body: no inputs (it reads the outer graph's by name), and every
    value it makes renamed with `prefix`, so none clashes with the outer graph or the other branch."""
    g = onnx.GraphProto()
    g.CopyFrom(model.graph)
    outer = {i.name for i in g.input}
    made = {t.name for t in g.initializer} | {o for n in g.node for o in n.output if o}
    rename = {name: prefix + name for name in made if name not in outer}
    for t in g.initializer:
        t.name = rename[t.name]
    for n in g.node:
        n.name = prefix + n.name
        n.doc_string = ""
        for names in (n.input, n.output):
            for k, name in enumerate(names):
                names[k] = rename.get(name, name)
    for o in g.output:
        o.name = rename.get(o.name, o.name)
    del g.input[:]
    del g.value_info[:]
    g.name = prefix.rstrip("/")
    return g


def _share_weights(a, b):
    """Moves the weights both branches hold (the same module's) to the outer graph, once, as optimum's
    merge does; returns them. Both branches then read them from the outer scope."""
    key = lambda t: (t.data_type, tuple(t.dims), numpy_helper.to_array(t).tobytes())
    in_b = {}
    for t in b.initializer:
        in_b.setdefault(key(t), t.name)
    shared, rename_a, rename_b = [], {}, {}
    for t in a.initializer:
        other = in_b.get(key(t))
        if other is None or other in rename_b:
            continue
        outer = "shared/" + t.name.split("/", 1)[1]
        rename_a[t.name], rename_b[other] = outer, outer
        copy = onnx.TensorProto()
        copy.CopyFrom(t)
        copy.name = outer
        shared.append(copy)
    for g, rename in ((a, rename_a), (b, rename_b)):
        kept = [t for t in g.initializer if t.name not in rename]
        del g.initializer[:]
        g.initializer.extend(kept)
        for n in g.node:
            for k, name in enumerate(n.input):
                n.input[k] = rename.get(name, name)
    return shared


def merge(first, next_, name):
    """One model with the union of both branches' inputs plus use_cache_branch, and their outputs."""
    if [o.name for o in first.graph.output] != [o.name for o in next_.graph.output]:
        raise RuntimeError("the two branches must return the same outputs in the same order")
    inputs = list(first.graph.input)
    inputs += [i for i in next_.graph.input if i.name not in {x.name for x in inputs}]
    inputs.append(helper.make_tensor_value_info(COND, TensorProto.BOOL, [1]))
    outputs = list(next_.graph.output)
    then_g, else_g = _as_branch(next_, "then/"), _as_branch(first, "else/")
    shared = _share_weights(then_g, else_g)  # before make_node, which copies the branches
    node = helper.make_node("If", [COND], [o.name for o in outputs], name="optimum::if",
                            then_branch=then_g, else_branch=else_g)
    graph = helper.make_graph([node], name, inputs, outputs, initializer=shared)
    model = helper.make_model(graph, opset_imports=list(next_.opset_import))
    model.ir_version = next_.ir_version
    return model


def pass_through_encoder_cache(model):
    """Adds present.{i}.encoder.* = past_key_values.{i}.encoder.* (the with-cache branch computes no
    new cross-attention keys/values), keeping the first-step branch's output order."""
    g = model.graph
    outs = {o.name: o for o in g.output}
    past = {i.name: i for i in g.input}
    order = []
    for name in [o.name for o in g.output][:1] + [n.replace("past_key_values", "present") for n in past
                                                   if n.startswith("past_key_values.")]:
        if name not in outs:
            src = name.replace("present", "past_key_values")
            g.node.append(helper.make_node("Identity", [src], [name], name=f"{name}_passthrough"))
            info = onnx.ValueInfoProto()
            info.CopyFrom(past[src])
            info.name = name
            outs[name] = info
        order.append(outs[name])
    del g.output[:]
    g.output.extend(order)


def save_merged_variants(first, next_, onnx_dir, name):
    """Writes NAME.onnx, NAME_fp16.onnx, NAME_q4.onnx with the If; returns the q4 MatMul count."""
    finish(merge(first, next_, name), os.path.join(onnx_dir, name + ".onnx"))
    finish(merge(to_fp16(first), to_fp16(next_), name), os.path.join(onnx_dir, name + "_fp16.onnx"))
    (q_first, n_first), (q_next, n_next) = to_q4(first), to_q4(next_)
    q4 = merge(q_first, q_next, name)
    q4.producer_name = "gvt-web hub_fixtures"
    q4.producer_version = "1"
    # The checker does not know contrib ops' schemas well; save without it, as save_variants does.
    onnx.save(q4, os.path.join(onnx_dir, name + "_q4.onnx"))
    return n_first + n_next
