"""NumPy reference values for words and heads (issue 12), on attentions torch computes with the demo model's
committed fp32 weights (the model as scripts/predictions_reference.py rebuilds it; for the texts of
assets/demo-model/reference.json they are checked against its stored attentions):

- mean over heads (each layer), mean over layers (of the head means);
- attention rollout (Abnar & Zuidema 2020): per layer A^ = 1/2 mean_heads(A) + 1/2 I, rows renormalised,
  product A^_L ... A^_1;
- head statistics (Clark et al. 2019), each a mean over all rows of the head's matrix ([CLS] and [SEP] rows
  included; to-previous over rows 1.., to-next over rows ..n-2): entropy (nats), mean distance, attention to
  [CLS], [SEP], the previous and the next position, punctuation (pieces whose characters are all Unicode P*);
- word-pooled attention for fixed word groupings (what Intl.Segmenter gives on these texts; the unit tests
  check that it still does): from a word, the mean over its pieces; to a word, the sum over its pieces.
  Pooled: every layer x head, the last layer's head mean, and the rollout.

Writes test/fixtures/words-reference.json (matrices little-endian float32, base64; statistics as numbers),
attentions included so that the tests need neither Python nor the model:
  /usr/bin/python3 scripts/words_reference.py
"""
import base64, json, math, os, sys, unicodedata

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import predictions_reference as model  # noqa: E402  (the demo model rebuilt in torch; its main() does not run on import)

ROOT = model.ROOT
OUT = os.path.join(ROOT, "test", "fixtures", "words-reference.json")
H, L, NH = model.H, model.L, model.NH

# Each text with its word groupings as piece counts ([CLS] and [SEP] words of their own).
TEXTS = [
    ("我喜欢吃苹果。i like apples .", [1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1]),
    ("我用苹果手机。我爱吃苹果。", [1, 1, 1, 2, 2, 1, 1, 1, 1, 2, 1, 1]),
    ("我喜欢吃苹[MASK]。", None),
    ("the cat's friends don't like it-today, ok?", [1, 1, 3, 1, 4, 1, 1, 1, 1, 1, 2, 1, 1]),
]


def attentions(ids):
    """Attention probabilities of every layer: [L, NH, T, T] (the forward of predictions_reference.hidden_states)."""
    x = torch.tensor(ids)
    T = len(ids)
    h = model.ln(model.emb["word"][x] + model.emb["pos"][:T] + model.emb["type"][0], model.emb["ln"])
    d = H // NH
    out = []
    for w in model.layers:
        split = lambda t: t.view(T, NH, d).permute(1, 0, 2)
        q, k, v = split(model.dense(h, w["q"])), split(model.dense(h, w["k"])), split(model.dense(h, w["v"]))
        probs = F.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
        out.append(probs)
        ctx = (probs @ v).permute(1, 0, 2).reshape(T, H)
        a = model.ln(model.dense(ctx, w["ao"]) + h, w["aln"])
        h = model.ln(model.dense(F.gelu(model.dense(a, w["i"])), w["o"]) + a, w["oln"])
    return torch.stack(out)


def f32_base64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def rollout(att):
    n = att.shape[-1]
    result = np.eye(n)
    for layer in att:
        a = 0.5 * layer.mean(axis=0) + 0.5 * np.eye(n)
        a = a / a.sum(axis=1, keepdims=True)
        result = a @ result
    return result


def is_punct(piece):
    p = piece[2:] if piece.startswith("##") else piece
    return len(p) > 0 and all(unicodedata.category(c).startswith("P") for c in p)


def head_stats(att, ids):
    n = att.shape[-1]
    cls = np.array([i == model.CLS for i in ids])
    sep = np.array([i == model.SEP for i in ids])
    special_positions = {0, n - 1}
    punct = np.array([p not in special_positions and is_punct(model.vocab[i]) for p, i in enumerate(ids)])
    dist = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :])
    stats = []
    for l in range(att.shape[0]):
        for h in range(att.shape[1]):
            a = att[l, h]
            with np.errstate(divide="ignore", invalid="ignore"):
                plogp = np.where(a > 0, a * np.log(a), 0.0)
            stats.append({
                "layer": l + 1, "head": h,
                "entropy": float(-plogp.sum(axis=1).mean()),
                "distance": float((a * dist).sum(axis=1).mean()),
                "toCls": float(a[:, cls].sum(axis=1).mean()),
                "toSep": float(a[:, sep].sum(axis=1).mean()),
                "toPrev": float(np.mean([a[i, i - 1] for i in range(1, n)])),
                "toNext": float(np.mean([a[i, i + 1] for i in range(n - 1)])),
                "toPunct": float(a[:, punct].sum(axis=1).mean()),
            })
    return stats


def pool(matrix, groups):
    m = len(groups)
    out = np.zeros((m, m))
    for a, rows in enumerate(groups):
        for b, cols in enumerate(groups):
            out[a, b] = matrix[np.ix_(rows, cols)].sum(axis=1).mean()
    return out


def main():
    stored = {t["text"]: t for t in json.load(open(os.path.join(model.MODEL, "reference.json")))["texts"]}
    out = {"note": "NumPy float64 on torch fp32 attentions of the demo model (scripts/words_reference.py); matrices little-endian float32, base64",
           "num_layers": L, "num_heads": NH, "texts": []}
    with torch.no_grad():
        for text, sizes in TEXTS:
            ids = model.encode(text)
            att_t = attentions(ids)
            if text in stored:
                ref = np.frombuffer(base64.b64decode(stored[text]["attentions"]), dtype="<f4").reshape(att_t.shape)
                assert stored[text]["input_ids"] == ids, text
                assert np.abs(att_t.numpy() - ref).max() < 1e-5, text
            att = att_t.numpy().astype(np.float64)
            n = len(ids)
            entry = {
                "text": text, "input_ids": ids, "tokens": [model.vocab[i] for i in ids],
                "attentions": f32_base64(att), "shape": list(att.shape),
                "mean_heads": f32_base64(att.mean(axis=1)),
                "mean_layers": f32_base64(att.mean(axis=1).mean(axis=0)),
                "rollout": f32_base64(rollout(att)),
                "head_stats": head_stats(att, ids),
            }
            if sizes is not None:
                assert sum(sizes) == n, (text, sum(sizes), n, entry["tokens"])
                bounds = np.cumsum([0] + sizes)
                groups = [list(range(bounds[k], bounds[k + 1])) for k in range(len(sizes))]
                entry["word_groups"] = groups
                entry["word_pieces"] = [" ".join(entry["tokens"][p] for p in g) for g in groups]
                entry["pooled_heads"] = f32_base64(np.stack([[pool(att[l, h], groups) for h in range(NH)] for l in range(L)]))
                entry["pooled_mean_heads_last"] = f32_base64(pool(att[L - 1].mean(axis=0), groups))
                entry["pooled_rollout"] = f32_base64(pool(rollout(att), groups))
                print(text, "|", " | ".join(entry["word_pieces"]))
            else:
                print(text, entry["tokens"])
            out["texts"].append(entry)
    with open(OUT, "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
