"""Turn a decoder folder (make_gpt2_model.py's output) into optimum's MERGED decoder layout: one graph whose
inputs gain `use_cache_branch` (bool [1]) and whose body is a single If node: then = the decoder run on the
fed past_key_values, else = the decoder for a first step (fed empty pasts). Initializers live once in the
main graph, as optimum's merge_decoders leaves them; both branches keep the original node and tensor names,
so the Softmax nodes and block outputs are inside the If's subgraphs, where an engine has to look for them.
The branches are the same graph here (this decoder handles an empty past itself); optimum's else branch is
an export without past inputs, which changes nothing an engine reads.

  /usr/bin/python3 scripts/merge_gpt2_decoder.py [SRC] [DST]   (default: test/fixtures/tiny-gpt2 -> test/fixtures/tiny-gpt2-merged)
Writes DST/onnx/model.onnx (merged from SRC's fp32 file; no quantized file, to keep the repository small: load
it with dtype fp32) and copies the JSON files; no reference of its own: the outputs are SRC's (SRC/reference.json).
"""
import os, shutil, sys

import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "test", "fixtures")
IF_NODE = "optimum::if"


def merged(model):
    g = model.graph

    def branch(name):
        return helper.make_graph(list(g.node), name, inputs=[], outputs=list(g.output))

    cond = helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])
    if_node = helper.make_node("If", ["use_cache_branch"], [o.name for o in g.output], name=IF_NODE,
                               then_branch=branch("decoder_with_past"), else_branch=branch("decoder_first_step"))
    main = helper.make_graph([if_node], "merged_decoder", inputs=list(g.input) + [cond], outputs=list(g.output),
                             initializer=list(g.initializer))
    out = helper.make_model(main, opset_imports=list(model.opset_import), producer_name="context-lens merge_gpt2_decoder")
    out.ir_version = model.ir_version
    onnx.checker.check_model(out)
    return out


def write_merged_folder(src, dst):
    os.makedirs(os.path.join(dst, "onnx"), exist_ok=True)
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
    onnx.save(merged(onnx.load(os.path.join(src, "onnx", "model.onnx"))), os.path.join(dst, "onnx", "model.onnx"))
    print("merged", src, "->", dst)


if __name__ == "__main__":
    write_merged_folder(sys.argv[1] if len(sys.argv) > 1 else os.path.join(FIXTURES, "tiny-gpt2"),
                        sys.argv[2] if len(sys.argv) > 2 else os.path.join(FIXTURES, "tiny-gpt2-merged"))
