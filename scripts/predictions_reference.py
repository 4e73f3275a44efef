"""Torch reference values for the predictions beyond the final-layer guess (issue 11), computed on the demo
model's committed fp32 ONNX weights (assets/demo-model/onnx/model.onnx) rebuilt as a torch BERT:

- layer guesses: a token masked alone, the masked-LM head (dense -> GELU -> LayerNorm -> decoder + bias)
  applied to that position's hidden state at every hidden layer 0 (embeddings) ... L;
- unmasked: the head's logits at every position of the unmasked text;
- spans: every token of a span masked at once, the head's logits at the span's positions, and the joint
  fills of a beam search (width 5) that fills the most confident still-masked position first.

Writes test/fixtures/predictions-reference.json (logit rows are little-endian float32, base64; the demo
vocabulary has 233 ids, so whole rows are kept). The weights are never regenerated here: golden values
elsewhere depend on them. Needs Debian's python3-torch and python3-onnx:
  /usr/bin/python3 scripts/predictions_reference.py
"""
import base64, json, math, os, re

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "assets", "demo-model")
OUT = os.path.join(ROOT, "test", "fixtures", "predictions-reference.json")
BEAM_WIDTH = 5
EPS = 1e-12

config = json.load(open(os.path.join(MODEL, "config.json")))
H, L, NH = config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"]
vocab = [line.rstrip("\n") for line in open(os.path.join(MODEL, "vocab.txt"), encoding="utf-8")]
vocab = [v for v in vocab if v]
tok2id = {t: i for i, t in enumerate(vocab)}
PAD, UNK, CLS, SEP, MASK = (tok2id[t] for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
SPECIALS = {PAD, UNK, CLS, SEP, MASK}

# ---------------- the weights, found by the node names torch.onnx gave the HF modules ----------------
graph = onnx.load(os.path.join(MODEL, "onnx", "model.onnx")).graph
init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in graph.initializer}


def linear(scope):
    """(weight [in, out], bias) of the Linear whose MatMul and Add nodes live in `scope`."""
    mm = next(n for n in graph.node if n.op_type == "MatMul" and n.name == f"{scope}/MatMul")
    add = next(n for n in graph.node if n.op_type == "Add" and n.name == f"{scope}/Add")
    bias = next(init[i] for i in add.input if i in init)
    return init[mm.input[1]], bias


def layer_norm_weights(prefix):
    return init[f"{prefix}.weight"], init[f"{prefix}.bias"]


def ln(x, wb):
    return F.layer_norm(x, (H,), wb[0], wb[1], EPS)


def dense(x, wb):
    return x @ wb[0] + wb[1]


emb = {
    "word": init["bert.embeddings.word_embeddings.weight"],
    "pos": init["bert.embeddings.position_embeddings.weight"],
    "type": init["bert.embeddings.token_type_embeddings.weight"],
    "ln": layer_norm_weights("bert.embeddings.LayerNorm"),
}
layers = []
for i in range(L):
    p = f"/bert/encoder/layer.{i}"
    layers.append({
        "q": linear(f"{p}/attention/self/query"), "k": linear(f"{p}/attention/self/key"), "v": linear(f"{p}/attention/self/value"),
        "ao": linear(f"{p}/attention/output/dense"), "aln": layer_norm_weights(f"bert.encoder.layer.{i}.attention.output.LayerNorm"),
        "i": linear(f"{p}/intermediate/dense"), "o": linear(f"{p}/output/dense"),
        "oln": layer_norm_weights(f"bert.encoder.layer.{i}.output.LayerNorm"),
    })
head_dense = linear("/predictions/transform/dense")
head_ln = layer_norm_weights("cls.predictions.transform.LayerNorm")
decoder_mm = next(n for n in graph.node if n.op_type == "MatMul" and n.name == "/predictions/decoder/MatMul")
decoder = (init[decoder_mm.input[1]], init["cls.predictions.bias"])


def hidden_states(ids):
    """Hidden states 0 (embeddings) ... L of one row of ids: [L + 1, T, H]."""
    x = torch.tensor(ids)
    T = len(ids)
    h = ln(emb["word"][x] + emb["pos"][:T] + emb["type"][0], emb["ln"])
    out = [h]
    d = H // NH
    for w in layers:
        split = lambda t: t.view(T, NH, d).permute(1, 0, 2)
        q, k, v = split(dense(h, w["q"])), split(dense(h, w["k"])), split(dense(h, w["v"]))
        probs = F.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
        ctx = (probs @ v).permute(1, 0, 2).reshape(T, H)
        a = ln(dense(ctx, w["ao"]) + h, w["aln"])
        h = ln(dense(F.gelu(dense(a, w["i"])), w["o"]) + a, w["oln"])
        out.append(h)
    return torch.stack(out)


def head(h):
    """The masked-LM head on hidden-state rows [..., H] -> logits [..., vocab]."""
    return dense(ln(F.gelu(dense(h, head_dense)), head_ln), decoder)


# ---------------- a BERT tokenizer, enough for the texts below (checked against the JS tokenizer by the tests) ----------------
PUNCT = set(".,!?;:'\"()-，。！？、")


def is_cjk(ch):
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def encode(text):
    words = re.findall(r"\[MASK\]|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[.,!?;:'\"()\-，。！？、]|[^\s.,!?;:'\"()\-，。！？、\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text)
    ids = []
    for w in words:
        if w == "[MASK]":
            ids.append(MASK)
            continue
        w = w.lower()
        start, pieces = 0, []
        while start < len(w):
            end = len(w)
            while end > start and (w[start:end] if start == 0 else "##" + w[start:end]) not in tok2id:
                end -= 1
            if end == start:
                pieces = [UNK]
                break
            pieces.append(tok2id[w[start:end] if start == 0 else "##" + w[start:end]])
            start = end
        ids += pieces
    return [CLS] + ids + [SEP]


def f32_base64(t):
    return base64.b64encode(t.detach().contiguous().numpy().astype("<f4").tobytes()).decode("ascii")


def softmax_row(logits):
    return torch.softmax(logits.double(), dim=-1)


def top_candidates(logits, k):
    """The k most probable ids (special tokens never proposed, still in the softmax) and their probabilities."""
    p = softmax_row(logits)
    order = [i for i in torch.argsort(logits, descending=True).tolist() if i not in SPECIALS][:k]
    return [(i, p[i].item()) for i in order]


def beam_fills(ids, positions):
    """Joint fills: each beam fills its most confident still-masked position with each of its top candidates."""
    start = list(ids)
    for p in positions:
        start[p] = MASK
    beams = [(start, 1.0, [])]
    for _ in positions:
        expanded = []
        for row, score, order in beams:
            logits = head(hidden_states(row)[L])
            masked = [p for p in positions if row[p] == MASK]
            tops = {p: top_candidates(logits[p], BEAM_WIDTH) for p in masked}
            chosen = max(masked, key=lambda p: (tops[p][0][1], -p))
            for tid, prob in tops[chosen]:
                filled = list(row)
                filled[chosen] = tid
                expanded.append((filled, score * prob, order + [[chosen, tid, prob]]))
        expanded.sort(key=lambda b: -b[1])
        beams = expanded[:BEAM_WIDTH]
    return [{"ids": [row[p] for p in positions], "tokens": [vocab[row[p]] for p in positions], "score": score, "steps": order}
            for row, score, order in beams]


def main():
    with torch.no_grad():
        # Sanity: the rebuilt model gives the committed reference.json's outputs (same weights, same maths).
        reference = json.load(open(os.path.join(MODEL, "reference.json")))
        for ref in reference["texts"]:
            hs = hidden_states(ref["input_ids"])
            got = head(hs[L])
            expected = np.frombuffer(base64.b64decode(ref["logits"]), dtype="<f4").reshape(got.shape)
            assert np.abs(got.numpy() - expected).max() < 1e-4, ref["text"]

        out = {"note": "torch fp32 on assets/demo-model/onnx/model.onnx's weights (scripts/predictions_reference.py); "
                       "logit rows are little-endian float32, base64",
               "vocab_size": len(vocab), "num_layers": L, "beam_width": BEAM_WIDTH,
               "layer_guesses": [], "unmasked": [], "spans": []}
        # A token masked alone (its UTF-16 offset in the text), its logits at every hidden layer.
        for text, offset in [("我喜欢吃苹果。", 5), ("我用苹果手机。", 4), ("i put money in the bank .", 19), ("the cat is running .", 4)]:
            ids = encode(text)
            index = next(i for i, t in enumerate(_token_spans(text)) if t[0] <= offset < t[1]) + 1
            row = list(ids)
            row[index] = MASK
            per_layer = head(hidden_states(row)[:, index, :])
            out["layer_guesses"].append({"text": text, "offset": offset, "input_ids": ids, "token_index": index,
                                         "layer_logits": f32_base64(per_layer), "shape": list(per_layer.shape)})
        for text in ["我喜欢吃苹果。i like apples .", "我用苹果手机。我爱吃苹果。", "the bank has my money ."]:
            ids = encode(text)
            logits = head(hidden_states(ids)[L])
            out["unmasked"].append({"text": text, "input_ids": ids, "logits": f32_base64(logits), "shape": list(logits.shape)})
        # [start, end) in UTF-16 code units (all of these texts are in the BMP).
        for text, start, end in [("我喜欢吃苹果。", 4, 6), ("我用苹果手机。", 2, 6), ("the cat is running .", 4, 10), ("我喜欢吃苹果。", 5, 6)]:
            ids = encode(text)
            spans = _token_spans(text)
            positions = [i + 1 for i, (s, e) in enumerate(spans) if s < end and e > start]
            row = list(ids)
            for p in positions:
                row[p] = MASK
            logits = head(hidden_states(row)[L][positions])
            out["spans"].append({"text": text, "start": start, "end": end, "input_ids": ids, "positions": positions,
                                 "masked_logits": f32_base64(logits), "shape": list(logits.shape),
                                 "fills": beam_fills(ids, positions)})
    with open(OUT, "w") as f:
        json.dump(out, f, ensure_ascii=False)
    print("wrote", OUT)


def _token_spans(text):
    """[start, end) of each text token (the same split as encode, wordpieces sharing their word's range split by length)."""
    spans = []
    for m in re.finditer(r"\[MASK\]|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[.,!?;:'\"()\-，。！？、]|[^\s.,!?;:'\"()\-，。！？、\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text):
        w = m.group(0)
        n = len(encode(w)) - 2
        if n == 1 or w == "[MASK]":
            spans.append((m.start(), m.end()))
            continue
        pos = m.start()
        for piece in encode(w)[1:-1]:
            length = len(vocab[piece].replace("##", ""))
            spans.append((pos, pos + length))
            pos += length
    return spans


if __name__ == "__main__":
    main()
