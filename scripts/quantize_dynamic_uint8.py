"""The graph pattern and names of onnxruntime's quantize_dynamic (which cannot be installed here),
with per-tensor uint8 weights:
  MatMul(A, W)  -> DynamicQuantizeLinear(A); MatMulInteger(Aq, Wq, Azp, Wzp); Cast; Mul(Ascale*Wscale)
  Gather(W, i)  -> Gather(Wq, i); DequantizeLinear(., Wscale, Wzp)
Original output tensor names are kept, as ORT does, so LayerNorm/Softmax outputs stay findable."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize_dynamic_uint8(src, dst):
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    new_nodes, new_inits, done = [], [], {}

    def quantized_weight(name):
        if name not in done:
            w = numpy_helper.to_array(inits[name]).astype(np.float32)
            lo, hi = min(w.min(), 0.0), max(w.max(), 0.0)
            scale = np.float32((hi - lo) / 255.0 or 1.0)
            zp = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
            q = np.clip(np.round(w / scale) + zp, 0, 255).astype(np.uint8)
            new_inits.extend([numpy_helper.from_array(q, name + "_quantized"),
                              numpy_helper.from_array(np.array(scale, np.float32), name + "_scale"),
                              numpy_helper.from_array(np.array(zp, np.uint8), name + "_zero_point")])
            done[name] = (name + "_quantized", name + "_scale", name + "_zero_point")
        return done[name]

    quantized_inputs = set()
    for n in g.node:
        if n.op_type == "MatMul" and n.input[1] in inits:
            a, out = n.input[0], n.output[0]
            wq, ws, wz = quantized_weight(n.input[1])
            if a not in quantized_inputs:  # ORT shares one DynamicQuantizeLinear per activation
                quantized_inputs.add(a)
                new_nodes.append(helper.make_node("DynamicQuantizeLinear", [a],
                                                  [a + "_quantized", a + "_scale", a + "_zero_point"],
                                                  name=a + "_QuantizeLinear"))
            new_nodes += [
                helper.make_node("MatMulInteger", [a + "_quantized", wq, a + "_zero_point", wz], [out + "_quantized"],
                                 name=n.name + "_quant"),
                helper.make_node("Cast", [out + "_quantized"], [out + "_quantized_cast_output"], to=TensorProto.FLOAT,
                                 name=n.name + "_quant_output_scale_mul_cast"),
                helper.make_node("Mul", [a + "_scale", ws], [out + "_scales_mul"], name=n.name + "_quant_scales_mul"),
                helper.make_node("Mul", [out + "_quantized_cast_output", out + "_scales_mul"], [out],
                                 name=n.name + "_quant_output_scale_mul"),
            ]
        elif n.op_type == "Gather" and n.input[0] in inits and inits[n.input[0]].data_type == TensorProto.FLOAT:
            wq, ws, wz = quantized_weight(n.input[0])
            new_nodes += [
                helper.make_node("Gather", [wq, n.input[1]], [n.output[0] + "_quantized"], name=n.name + "_quant",
                                 **{a.name: helper.get_attribute_value(a) for a in n.attribute}),
                helper.make_node("DequantizeLinear", [n.output[0] + "_quantized", ws, wz], [n.output[0]],
                                 name=n.name + "_DequantizeLinear"),
            ]
        else:
            new_nodes.append(n)
    used = {i for n in new_nodes for i in n.input}
    keep = [i for i in g.initializer if i.name in used] + new_inits
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
