"""Build a small BERT masked LM in plain torch (HF module names, so the ONNX node names match Hub
exports), train it briefly on a toy Chinese + English corpus, and write a Hub-layout folder:
config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json, vocab.txt,
onnx/model.onnx (fp32), onnx/model_quantized.onnx (dynamic uint8, ORT quantize_dynamic pattern),
and reference.json: what torch computed (logits, attentions, hidden states) for a few texts.

Demo model, shipped with the extension and used by the tests (committed; the default OUT):
  /usr/bin/python3 scripts/make_bert_model.py            (writes assets/demo-model)
Same weights at opset 17 (a test fixture):  ... test/fixtures/tiny-bert-opset17 --opset 17
bert-base-sized random model for the benchmark (never committed):
  ... OUT --hidden 768 --layers 12 --heads 12 --inter 3072 --maxpos 512 --vocab-pad 20915 --steps 0
Needs Debian's python3-torch and python3-onnx (use /usr/bin/python3).
"""
import argparse, base64, json, math, os, random, struct, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quantize_dynamic_uint8 import quantize_dynamic_uint8  # noqa: E402

ap = argparse.ArgumentParser()
DEMO_MODEL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets", "demo-model")
ap.add_argument("out", nargs="?", default=DEMO_MODEL, help="output folder (default: the demo model, assets/demo-model)")
ap.add_argument("--opset", type=int, default=14)
ap.add_argument("--hidden", type=int, default=64)
ap.add_argument("--layers", type=int, default=2)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--inter", type=int, default=128)
ap.add_argument("--maxpos", type=int, default=128)
ap.add_argument("--steps", type=int, default=1500)
ap.add_argument("--vocab-pad", type=int, default=0, help="extra [unusedN] tokens, to reach a real vocab size")
ap.add_argument("--position-init-std", type=float, default=0.01)
ap.add_argument("--position-lr-scale", type=float, default=1.0)
ap.add_argument("--no-reference", action="store_true")
ap.add_argument("--save-torch", action="store_true", help="also write torch_state.pt (for --torch-bench)")
ap.add_argument("--torch-bench", default="", help="comma-separated token counts: load OUT/torch_state.pt, time torch "
                "eager fp32 forwards with attentions and hidden states, print JSON, write nothing")
ap.add_argument("--repeats", type=int, default=5)
args = ap.parse_args()
torch.manual_seed(0)
random.seed(0)
torch.set_num_threads(max(1, os.cpu_count() or 1))

# ---------------- vocabulary ----------------
specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
punct = list(".,!?;:'\"()-，。！？、")
zh = list("苹果手机吃我的了很好你他她是在有不这个们中国人大小天今明电脑喜欢买新旧贵便宜用看书学习工作家朋友水茶饭爱甜红树上河边银行钱存")
en = ("the a an i you he she it we they is am are was be to of and in on for with my your "
      "this that phone apple apples eat ate like likes good bad very new old buy bought use "
      "computer book books read learn work home friend friends water tea rice today tomorrow "
      "big small not have has do does cat dog run running play bank river money sat by put "
      "cafe naive resume").split()
pieces = ["##s", "##ed", "##ing", "##er", "##ly", "##e", "##y", "##n", "##t"]
letters = list("abcdefghijklmnopqrstuvwxyz0123456789")
vocab = specials + punct + zh + en + pieces + letters + ["##" + c for c in letters]
vocab += [f"[unused{i}]" for i in range(args.vocab_pad)]
seen = set()
vocab = [t for t in vocab if not (t in seen or seen.add(t))]
tok2id = {t: i for i, t in enumerate(vocab)}
PAD, UNK, CLS, SEP, MASK = (tok2id[t] for t in specials)
V = len(vocab)


def is_cjk(ch):
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF


def basic_tokenize(text):
    """Enough of BERT's basic tokenizer for the training corpus (lower-case, CJK split, punctuation)."""
    out, buf = [], ""
    for ch in text.lower():
        if is_cjk(ch) or ch in punct:
            if buf:
                out.append(buf)
                buf = ""
            out.append(ch)
        elif ch.isspace():
            if buf:
                out.append(buf)
                buf = ""
        else:
            buf += ch
    if buf:
        out.append(buf)
    return out


def wordpiece(word):
    if word in tok2id:
        return [word]
    toks, start = [], 0
    while start < len(word):
        end, cur = len(word), None
        while start < end:
            sub = word[start:end] if start == 0 else "##" + word[start:end]
            if sub in tok2id:
                cur = sub
                break
            end -= 1
        if cur is None:
            return ["[UNK]"]
        toks.append(cur)
        start = end
    return toks


def encode(text):
    ids = []
    for w in basic_tokenize(text):
        ids += [tok2id[t] for t in wordpiece(w)] if w != "[mask]" else [MASK]
    return [CLS] + ids + [SEP]


# Both senses of 苹果 (the phone maker, the fruit) and of "bank" (river, money), so that contextual
# vectors of the same token can be seen to separate.
corpus = [
    "我喜欢吃苹果。", "我用苹果手机。", "他买了新手机。", "她很喜欢这个电脑。", "今天天气很好。",
    "我们在家吃饭。", "你喜欢喝茶吗？", "他在中国工作。", "我的朋友很好。", "这个手机很贵。",
    "这个电脑很便宜。", "我今天学习了。", "明天我看书。", "他们是中国人。", "我吃了苹果。",
    "我爱吃苹果。", "苹果很甜。", "树上有红苹果。", "他用苹果电脑。", "苹果手机很贵。", "我买了苹果手机。",
    "她爱吃红苹果。", "苹果电脑很好用。", "我去银行存钱。", "我在河边看书。",
    "i like apples .", "i eat an apple today .", "my phone is new .", "she bought a new computer .",
    "we read books at home .", "he likes tea and rice .", "the cat is running .", "they play with the dog .",
    "this book is very good .", "that phone is old .", "i work at home today .", "my friend has a cat .",
    "you use the computer .", "we learn and work .", "the apple phone is very good .",
    "i put money in the bank .", "the bank has my money .", "we sat by the river bank .",
    "the dog is on the river bank .",
]
data = [encode(s) for s in corpus]

# ---------------- model: HF BertForMaskedLM layout and names ----------------
H, L, NH, I = args.hidden, args.layers, args.heads, args.inter
EPS = 1e-12


class Embeddings(nn.Module):
    def __init__(s):
        super().__init__()
        s.word_embeddings = nn.Embedding(V, H, padding_idx=PAD)
        s.position_embeddings = nn.Embedding(args.maxpos, H)
        s.token_type_embeddings = nn.Embedding(2, H)
        s.LayerNorm = nn.LayerNorm(H, eps=EPS)
        s.dropout = nn.Dropout(0.1)

    def forward(s, input_ids, token_type_ids):
        pos = torch.arange(input_ids.shape[1], dtype=torch.long).unsqueeze(0)
        x = s.word_embeddings(input_ids) + s.token_type_embeddings(token_type_ids) + s.position_embeddings(pos)
        return s.dropout(s.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(s):
        super().__init__()
        s.query, s.key, s.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
        s.dropout = nn.Dropout(0.1)

    def split(s, x):
        b, t, _ = x.shape
        return x.view(b, t, NH, H // NH).permute(0, 2, 1, 3)

    def forward(s, x, additive_mask):
        q, k, v = s.split(s.query(x)), s.split(s.key(x)), s.split(s.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(H // NH) + additive_mask
        probs = F.softmax(scores, dim=-1)
        ctx = torch.matmul(s.dropout(probs), v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.shape[0], ctx.shape[1], H), probs


class AddNorm(nn.Module):
    def __init__(s, n_in):
        super().__init__()
        s.dense = nn.Linear(n_in, H)
        s.LayerNorm = nn.LayerNorm(H, eps=EPS)
        s.dropout = nn.Dropout(0.1)

    def forward(s, h, residual):
        return s.LayerNorm(s.dropout(s.dense(h)) + residual)


class Attention(nn.Module):
    def __init__(s):
        super().__init__()
        s.self = SelfAttention()
        s.output = AddNorm(H)

    def forward(s, x, m):
        c, p = s.self(x, m)
        return s.output(c, x), p


class Intermediate(nn.Module):
    def __init__(s):
        super().__init__()
        s.dense = nn.Linear(H, I)

    def forward(s, x):
        return F.gelu(s.dense(x))


class Layer(nn.Module):
    def __init__(s):
        super().__init__()
        s.attention, s.intermediate, s.output = Attention(), Intermediate(), AddNorm(I)

    def forward(s, x, m):
        a, p = s.attention(x, m)
        return s.output(s.intermediate(a), a), p


class Encoder(nn.Module):
    def __init__(s):
        super().__init__()
        s.layer = nn.ModuleList([Layer() for _ in range(L)])

    def forward(s, x, m):
        hidden, attn = [x], []
        for layer in s.layer:
            x, p = layer(x, m)
            hidden.append(x)
            attn.append(p)
        return x, hidden, attn


class Bert(nn.Module):
    def __init__(s):
        super().__init__()
        s.embeddings, s.encoder = Embeddings(), Encoder()

    def forward(s, input_ids, attention_mask, token_type_ids):
        m = attention_mask[:, None, None, :].to(torch.float32)
        m = (1.0 - m) * torch.finfo(torch.float32).min  # HF's additive mask
        return s.encoder(s.embeddings(input_ids, token_type_ids), m)


class Transform(nn.Module):
    def __init__(s):
        super().__init__()
        s.dense = nn.Linear(H, H)
        s.LayerNorm = nn.LayerNorm(H, eps=EPS)

    def forward(s, x):
        return s.LayerNorm(F.gelu(s.dense(x)))


class Predictions(nn.Module):
    def __init__(s):
        super().__init__()
        s.transform = Transform()
        s.decoder = nn.Linear(H, V, bias=False)
        s.bias = nn.Parameter(torch.zeros(V))

    def forward(s, x):
        return s.decoder(s.transform(x)) + s.bias


class Cls(nn.Module):
    def __init__(s):
        super().__init__()
        s.predictions = Predictions()


class BertForMaskedLM(nn.Module):
    def __init__(s):
        super().__init__()
        s.bert, s.cls = Bert(), Cls()
        s.cls.predictions.decoder.weight = s.bert.embeddings.word_embeddings.weight  # tied, as in HF
        s.return_extras = False

    def forward(s, input_ids, attention_mask, token_type_ids):
        x, hidden, attn = s.bert(input_ids, attention_mask, token_type_ids)
        logits = s.cls.predictions(x)
        return (logits, hidden, attn) if s.return_extras else logits


model = BertForMaskedLM()
# Small position embeddings, as in trained BERTs where the token embedding dominates layer 0: the
# same character then starts nearly identical wherever it stands, and only the layers add context.
with torch.no_grad():
    model.bert.embeddings.position_embeddings.weight.normal_(0.0, args.position_init_std)
    model.bert.embeddings.token_type_embeddings.weight.normal_(0.0, args.position_init_std)

if args.torch_bench:
    # Same weights as OUT/onnx/model.onnx: the stack exBERT and BertViz run on (PyTorch eager, fp32).
    model.load_state_dict(torch.load(os.path.join(args.out, "torch_state.pt")))
    model.eval()
    model.return_extras = True
    blas = "unknown"
    try:
        blas = [l.strip() for l in torch.__config__.show().splitlines() if "BLAS_INFO" in l or "LAPACK_INFO" in l]
    except Exception:
        pass
    results = {"threads": torch.get_num_threads(), "blas": blas, "torch": torch.__version__, "runs": {}}
    for n in [int(x) for x in args.torch_bench.split(",")]:
        ids = torch.randint(len(specials), V, (1, n))
        ids[0, 0], ids[0, -1] = CLS, SEP
        with torch.no_grad():
            model(ids, torch.ones_like(ids), torch.zeros_like(ids))  # warm-up
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                model(ids, torch.ones_like(ids), torch.zeros_like(ids))
                times.append((time.perf_counter() - t) * 1000)
        results["runs"][str(n)] = times
    print(json.dumps(results))
    sys.exit(0)

# ---------------- brief masked-LM training ----------------
position_params = [model.bert.embeddings.position_embeddings.weight, model.bert.embeddings.token_type_embeddings.weight]
other_params = [p for p in model.parameters() if all(p is not q for q in position_params)]
opt = torch.optim.AdamW([{"params": other_params, "lr": 3e-3},
                         {"params": position_params, "lr": 3e-3 * args.position_lr_scale}])
t0 = time.time()
model.train()
for step in range(args.steps):
    batch = random.sample(data, 16)
    T = max(len(b) for b in batch)
    ids = torch.full((16, T), PAD)
    am = torch.zeros((16, T), dtype=torch.long)
    for i, b in enumerate(batch):
        ids[i, : len(b)] = torch.tensor(b)
        am[i, : len(b)] = 1
    labels = torch.full_like(ids, -100)
    inp = ids.clone()
    for i, b in enumerate(batch):
        n = len(b) - 2
        for j in random.sample(range(1, n + 1), max(1, int(round(0.25 * n)))):
            labels[i, j] = ids[i, j]
            inp[i, j] = MASK
    loss = F.cross_entropy(model(inp, am, torch.zeros_like(ids)).view(-1, V), labels.view(-1), ignore_index=-100)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 200 == 0 or step == args.steps - 1:
        print(f"step {step} loss {loss.item():.3f}")
print(f"trained {args.steps} steps in {time.time() - t0:.1f}s")
model.eval()

# ---------------- ONNX export ----------------
onnx_dir = os.path.join(args.out, "onnx")
os.makedirs(onnx_dir, exist_ok=True)
example = torch.tensor([encode("我喜欢吃苹果。i like apples .")])
fp32_path = os.path.join(onnx_dir, "model.onnx")
axes = {0: "batch_size", 1: "sequence_length"}
torch.onnx.export(
    model, (example, torch.ones_like(example), torch.zeros_like(example)), fp32_path,
    input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
    dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "logits": axes},
    opset_version=args.opset, do_constant_folding=True)
quantize_dynamic_uint8(fp32_path, os.path.join(onnx_dir, "model_quantized.onnx"))
if args.save_torch:
    torch.save(model.state_dict(), os.path.join(args.out, "torch_state.pt"))


def f32_base64(t):
    return base64.b64encode(t.detach().contiguous().numpy().astype("<f4").tobytes()).decode("ascii")


# ---------------- torch reference outputs ----------------
if not args.no_reference:
    model.return_extras = True
    reference = {"note": "torch fp32 outputs of onnx/model.onnx's weights; tensors are little-endian float32, base64",
                 "vocab_size": V, "hidden_size": H, "num_layers": L, "num_heads": NH, "texts": []}
    for text in ["我喜欢吃苹果。i like apples .", "我用苹果手机。我爱吃苹果。", "我喜欢吃苹[MASK]。"]:
        ids = torch.tensor([encode(text)])
        with torch.no_grad():
            logits, hidden, attn = model(ids, torch.ones_like(ids), torch.zeros_like(ids))
        reference["texts"].append({
            "text": text, "input_ids": ids[0].tolist(), "tokens": [vocab[i] for i in ids[0].tolist()],
            "logits": f32_base64(logits[0]), "logits_shape": list(logits[0].shape),
            "hidden_states": f32_base64(torch.stack([h[0] for h in hidden])),
            "hidden_states_shape": [len(hidden)] + list(hidden[0][0].shape),
            "attentions": f32_base64(torch.stack([a[0] for a in attn])),
            "attentions_shape": [len(attn)] + list(attn[0][0].shape),
            "argmax": logits[0].argmax(-1).tolist(),
        })
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(reference, f, ensure_ascii=False)

# ---------------- config and tokenizer files (Hub layout) ----------------
config = {"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": V, "hidden_size": H,
          "num_hidden_layers": L, "num_attention_heads": NH, "intermediate_size": I, "hidden_act": "gelu",
          "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "max_position_embeddings": args.maxpos,
          "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": EPS, "pad_token_id": PAD,
          "position_embedding_type": "absolute", "transformers_version": "4.44.0"}
with open(os.path.join(args.out, "config.json"), "w") as f:
    json.dump(config, f, indent=2)


def special(t, type_id=0):
    return {"SpecialToken": {"id": t, "type_id": type_id}}


def sequence(name, type_id):
    return {"Sequence": {"id": name, "type_id": type_id}}


tokenizer = {
    "version": "1.0", "truncation": None, "padding": None,
    "added_tokens": [{"id": tok2id[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True} for t in specials],
    "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                   "strip_accents": None, "lowercase": True},
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "post_processor": {"type": "TemplateProcessing",
                       "single": [special("[CLS]"), sequence("A", 0), special("[SEP]")],
                       "pair": [special("[CLS]"), sequence("A", 0), special("[SEP]"), sequence("B", 1), special("[SEP]", 1)],
                       "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [CLS], "tokens": ["[CLS]"]},
                                          "[SEP]": {"id": "[SEP]", "ids": [SEP], "tokens": ["[SEP]"]}}},
    "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
              "max_input_chars_per_word": 100, "vocab": tok2id},
}
with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
    json.dump(tokenizer, f, ensure_ascii=False)
tokenizer_config = {"tokenizer_class": "BertTokenizer", "do_lower_case": True, "tokenize_chinese_chars": True,
                    "strip_accents": None, "clean_up_tokenization_spaces": True, "model_max_length": args.maxpos,
                    "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]", "pad_token": "[PAD]",
                    "unk_token": "[UNK]"}
with open(os.path.join(args.out, "tokenizer_config.json"), "w") as f:
    json.dump(tokenizer_config, f, indent=2)
with open(os.path.join(args.out, "special_tokens_map.json"), "w") as f:
    json.dump(dict(zip(["pad_token", "unk_token", "cls_token", "sep_token", "mask_token"], specials)), f, indent=2)
with open(os.path.join(args.out, "vocab.txt"), "w") as f:
    f.write("\n".join(vocab) + "\n")
print("vocab", V, "params", sum(p.numel() for p in model.parameters()), "->", args.out)
