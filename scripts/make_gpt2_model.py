"""Build a small GPT-2 (causal LM) in plain torch with Hugging Face's module names (transformer.wte, wpe,
h.N.ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj, ln_f, lm_head tied to wte; Conv1D weight
layout [in, out]; gelu_new), learn a byte-level BPE on the fixture corpus, train briefly, and write a
Hub-layout folder: config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json,
onnx/model.onnx (fp32), onnx/model_quantized.onnx (dynamic uint8) and reference.json (torch's outputs).

The ONNX file has optimum's decoder signature (what transformers.js feeds a GPT-2):
  inputs  input_ids [batch_size, sequence_length] int64, attention_mask [batch_size,
          past_sequence_length + sequence_length] int64, position_ids [batch_size, sequence_length] int64,
          past_key_values.{i}.key / .value [batch_size, n_head, past_sequence_length, head_dim] float32
  outputs logits [batch_size, sequence_length, vocab_size], present.{i}.key / .value
          [batch_size, n_head, past_sequence_length + sequence_length, head_dim]
Attention is eager (HF's GPT2Attention): one Softmax node per block, causal mask applied before it.

Test fixture (committed; the default OUT):  /usr/bin/python3 scripts/make_gpt2_model.py
GPT-2-sized random model for the benchmark (never committed; bench/causalBenchModel.ts runs this):
  ... OUT --gpt2-size --steps 0 --no-reference [--save-torch]
Needs Debian's python3-torch and python3-onnx (use /usr/bin/python3).
"""
import argparse, base64, glob, json, math, os, random, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from gpt2_bpe import END_OF_TEXT, ByteLevelBPE, learn_merges  # noqa: E402
from quantize_dynamic_uint8 import quantize_dynamic_uint8  # noqa: E402

FIXTURE = os.path.join(REPO, "test", "fixtures", "tiny-gpt2")
ap = argparse.ArgumentParser()
ap.add_argument("out", nargs="?", default=FIXTURE, help="output folder (default: the test fixture, test/fixtures/tiny-gpt2)")
ap.add_argument("--opset", type=int, default=14)
ap.add_argument("--embd", type=int, default=64)
ap.add_argument("--layers", type=int, default=3)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--positions", type=int, default=128)
ap.add_argument("--merges", type=int, default=250, help="BPE merges to learn (vocabulary = 256 bytes + merges + 1)")
ap.add_argument("--vocab-size", type=int, default=0, help="pad the embedding matrix to this many rows (ids past the tokenizer are never produced)")
ap.add_argument("--gpt2-size", action="store_true", help="GPT-2 small's shape: 12 layers, 12 heads, 768 wide, 1024 positions, vocabulary 50,257")
ap.add_argument("--steps", type=int, default=600)
ap.add_argument("--no-reference", action="store_true")
ap.add_argument("--save-torch", action="store_true", help="also write torch_state.pt (for --torch-bench)")
ap.add_argument("--torch-bench", default="", help="comma-separated token counts: load OUT/torch_state.pt, time torch "
                "eager fp32 forwards with attentions and hidden states, print JSON, write nothing")
ap.add_argument("--repeats", type=int, default=5)
args = ap.parse_args()
if args.gpt2_size:
    args.embd, args.layers, args.heads, args.positions, args.vocab_size = 768, 12, 12, 1024, 50257
torch.manual_seed(0)
random.seed(0)
torch.set_num_threads(max(1, os.cpu_count() or 1))

# ---------------- corpus and byte-level BPE ----------------
# The BERT fixture's sentences (scripts/make_bert_model.py), in natural case and spacing, plus the demo texts.
corpus = [
    "我喜欢吃苹果。", "我用苹果手机。", "他买了新手机。", "她很喜欢这个电脑。", "今天天气很好。",
    "我们在家吃饭。", "你喜欢喝茶吗？", "他在中国工作。", "我的朋友很好。", "这个手机很贵。",
    "这个电脑很便宜。", "我今天学习了。", "明天我看书。", "他们是中国人。", "我吃了苹果。",
    "我爱吃苹果。", "苹果很甜。", "树上有红苹果。", "他用苹果电脑。", "苹果手机很贵。", "我买了苹果手机。",
    "她爱吃红苹果。", "苹果电脑很好用。", "我去银行存钱。", "我在河边看书。",
    "I like apples.", "I eat an apple today.", "My phone is new.", "She bought a new computer.",
    "We read books at home.", "He likes tea and rice.", "The cat is running.", "They play with the dog.",
    "This book is very good.", "That phone is old.", "I work at home today.", "My friend has a cat.",
    "You use the computer.", "We learn and work.", "The Apple phone is very good.",
    "I put money in the bank.", "The bank has my money.", "We sat by the river bank.",
    "The dog is on the river bank.", "I don't like rain, but it's good for the trees.",
    "我喜欢吃苹果 😀 and I like apples 😀.", "Today is a good day 😀",
]
for path in sorted(glob.glob(os.path.join(REPO, "demo", "*.txt")) + glob.glob(os.path.join(REPO, "demo", "*.md"))
                   + glob.glob(os.path.join(REPO, "demo", "senses", "*.txt"))):
    if os.path.basename(path) == "hostile.txt":
        continue  # markup made to break the UI, not language
    with open(path, encoding="utf-8") as f:
        corpus += [line for line in f.read().split("\n") if line.strip()]

bpe = ByteLevelBPE(learn_merges(corpus, args.merges))
V_TOK = len(bpe.vocab)
V = max(V_TOK, args.vocab_size)
EOT = bpe.eot
stream = []
for line in corpus:
    stream += [EOT] + bpe.encode(line)

# ---------------- model: HF GPT2LMHeadModel layout and names ----------------
H, L, NH, P = args.embd, args.layers, args.heads, args.positions
HD = H // NH
EPS = 1e-5


class Conv1D(nn.Module):
    """HF's Conv1D: weight [in, out]. Written as matmul + add (not addmm) so the export has a MatMul with the
    weight as initializer, as Hub exports of GPT-2 do, and the dynamic quantizer finds it."""

    def __init__(s, nf, nx):
        super().__init__()
        s.weight = nn.Parameter(torch.randn(nx, nf) * 0.02)
        s.bias = nn.Parameter(torch.zeros(nf))

    def forward(s, x):
        return torch.matmul(x, s.weight) + s.bias


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2Attention(nn.Module):
    def __init__(s):
        super().__init__()
        s.register_buffer("bias", torch.tril(torch.ones((P, P), dtype=torch.bool)).view(1, 1, P, P), persistent=False)
        s.c_attn, s.c_proj = Conv1D(3 * H, H), Conv1D(H, H)
        s.attn_dropout, s.resid_dropout = nn.Dropout(0.1), nn.Dropout(0.1)

    def split_heads(s, x):
        return x.view(x.shape[0], x.shape[1], NH, HD).permute(0, 2, 1, 3)

    def forward(s, x, past_key, past_value, additive_mask):
        q, k, v = s.c_attn(x).split(H, dim=2)
        q, k, v = s.split_heads(q), s.split_heads(k), s.split_heads(v)
        k = torch.cat((past_key, k), dim=-2)
        v = torch.cat((past_value, v), dim=-2)
        w = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(HD)
        ql, kl = q.shape[-2], k.shape[-2]
        causal = s.bias[:, :, kl - ql: kl, :kl]
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        probs = F.softmax(w + additive_mask, dim=-1)
        ctx = torch.matmul(s.attn_dropout(probs), v).permute(0, 2, 1, 3).contiguous()
        ctx = ctx.view(ctx.shape[0], ctx.shape[1], H)
        return s.resid_dropout(s.c_proj(ctx)), k, v, probs


class GPT2MLP(nn.Module):
    def __init__(s):
        super().__init__()
        s.c_fc, s.c_proj, s.dropout = Conv1D(4 * H, H), Conv1D(H, 4 * H), nn.Dropout(0.1)

    def forward(s, x):
        return s.dropout(s.c_proj(gelu_new(s.c_fc(x))))


class GPT2Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln_1, s.attn, s.ln_2, s.mlp = nn.LayerNorm(H, eps=EPS), GPT2Attention(), nn.LayerNorm(H, eps=EPS), GPT2MLP()

    def forward(s, x, pk, pv, m):
        a, k, v, probs = s.attn(s.ln_1(x), pk, pv, m)
        x = x + a
        return x + s.mlp(s.ln_2(x)), k, v, probs


class GPT2Model(nn.Module):
    def __init__(s):
        super().__init__()
        s.wte, s.wpe, s.drop = nn.Embedding(V, H), nn.Embedding(P, H), nn.Dropout(0.1)
        s.h = nn.ModuleList([GPT2Block() for _ in range(L)])
        s.ln_f = nn.LayerNorm(H, eps=EPS)

    def forward(s, input_ids, attention_mask, position_ids, pasts):
        m = attention_mask[:, None, None, :].to(torch.float32)
        m = (1.0 - m) * torch.finfo(torch.float32).min  # HF's additive mask
        x = s.drop(s.wte(input_ids) + s.wpe(position_ids))
        hidden, presents, attn = [x], [], []
        for i, block in enumerate(s.h):
            x, k, v, probs = block(x, pasts[2 * i], pasts[2 * i + 1], m)
            hidden.append(x)
            presents += [k, v]
            attn.append(probs)
        return s.ln_f(x), hidden, presents, attn


class GPT2LMHeadModel(nn.Module):
    def __init__(s):
        super().__init__()
        s.transformer = GPT2Model()
        s.lm_head = nn.Linear(H, V, bias=False)
        s.lm_head.weight = s.transformer.wte.weight  # tied, as in HF
        nn.init.normal_(s.transformer.wte.weight, 0.0, 0.02)
        nn.init.normal_(s.transformer.wpe.weight, 0.0, 0.01)
        s.return_extras = False

    def forward(s, input_ids, attention_mask, position_ids, *pasts):
        final, hidden, presents, attn = s.transformer(input_ids, attention_mask, position_ids, pasts)
        logits = s.lm_head(final)
        if s.return_extras:
            return logits, final, hidden, attn
        return (logits, *presents)


def empty_pasts(batch=1, length=0):
    return [torch.zeros(batch, NH, length, HD) for _ in range(2 * L)]


def run(model, ids, past_length=0, pasts=None):
    """A forward over ids (batch 1) after past_length cached positions."""
    ids = torch.tensor([ids]) if not torch.is_tensor(ids) else ids
    t = ids.shape[1]
    pasts = pasts if pasts is not None else empty_pasts(1, past_length)
    return model(ids, torch.ones(1, past_length + t, dtype=torch.long),
                 torch.arange(past_length, past_length + t).unsqueeze(0), *pasts)


model = GPT2LMHeadModel()

if args.torch_bench:
    # Same weights as OUT/onnx/model.onnx: the stack Ecco and BertViz run on (PyTorch eager, fp32).
    model.load_state_dict(torch.load(os.path.join(args.out, "torch_state.pt")))
    model.eval()
    model.return_extras = True
    results = {"threads": torch.get_num_threads(), "torch": torch.__version__, "runs": {}}
    for n in [int(x) for x in args.torch_bench.split(",")]:
        ids = torch.randint(0, V_TOK, (1, n))
        with torch.no_grad():
            run(model, ids)  # warm-up
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                run(model, ids)
                times.append((time.perf_counter() - t) * 1000)
        results["runs"][str(n)] = times
    print(json.dumps(results))
    sys.exit(0)

# ---------------- brief next-token training ----------------
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
t0 = time.time()
model.train()
WINDOW, BATCH = 48, 16
for step in range(args.steps):
    starts = [random.randrange(0, len(stream) - WINDOW - 1) for _ in range(BATCH)]
    ids = torch.tensor([stream[s: s + WINDOW + 1] for s in starts])
    x, y = ids[:, :-1], ids[:, 1:]
    logits = model(x, torch.ones_like(x), torch.arange(WINDOW).expand(BATCH, WINDOW), *empty_pasts(BATCH))[0]
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 200 == 0 or step == args.steps - 1:
        print(f"step {step} loss {loss.item():.3f}")
print(f"trained {args.steps} steps in {time.time() - t0:.1f}s on {len(stream)} tokens")
model.eval()

# ---------------- ONNX export ----------------
onnx_dir = os.path.join(args.out, "onnx")
os.makedirs(onnx_dir, exist_ok=True)
fp32_path = os.path.join(onnx_dir, "model.onnx")
past_names = [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
present_names = [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
seq = {0: "batch_size", 1: "sequence_length"}
total = {0: "batch_size", 1: "past_sequence_length + sequence_length"}
dynamic = {"input_ids": seq, "attention_mask": total, "position_ids": seq,
           "logits": {0: "batch_size", 1: "sequence_length"}}
dynamic.update({n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names})
dynamic.update({n: {0: "batch_size", 2: "past_sequence_length + sequence_length"} for n in present_names})
# Traced with a non-empty past and two positions so that no length is frozen into the graph.
ex_ids = torch.tensor([bpe.encode("我喜欢吃")[:2]])
with torch.no_grad():
    torch.onnx.export(
        model, (ex_ids, torch.ones(1, 5, dtype=torch.long), torch.tensor([[3, 4]]), *empty_pasts(1, 3)), fp32_path,
        input_names=["input_ids", "attention_mask", "position_ids"] + past_names,
        output_names=["logits"] + present_names, dynamic_axes=dynamic, opset_version=args.opset,
        do_constant_folding=True)
quantize_dynamic_uint8(fp32_path, os.path.join(onnx_dir, "model_quantized.onnx"))
if args.save_torch:
    torch.save(model.state_dict(), os.path.join(args.out, "torch_state.pt"))


def f32_base64(t):
    return base64.b64encode(t.detach().contiguous().numpy().astype("<f4").tobytes()).decode("ascii")


# ---------------- torch reference outputs ----------------
REFERENCE_TEXTS = [
    "我喜欢吃苹果。我用苹果手机。",  # Chinese, frequent characters merged into whole-character tokens
    "I put my money in the bank.",  # English, leading-space tokens
    "龍 and 苹果 are 😀",  # a rare CJK character and an emoji split into byte tokens; mixed scripts
    "one\r\ntwo\tthree",  # CRLF and tab
    END_OF_TEXT + "今天我用苹果电脑学习。",  # the end-of-text token as a BOS: a prediction for the first character
]
TOP_K = 5
# Texts whose ids the unit test compares between this script's BPE, transformers.js and HF tokenizers (Rust):
# the masked models' tricky list (test/unit/tokenOffsets.test.ts) plus byte-split CJK, emoji and spacing.
TOKENIZER_CASES = [
    "我用苹果手机。我爱吃苹果。", "Apple PHONES", "Café naïve résumé", "CAFÉ NAÏVE RÉSUMÉ", "apples playing worked",
    "Ω", "😀 apple 😀", "龍 and 苹果", "👨\u200d👩\u200d👧 family", "x👨\u200d👩\u200d👧y", "one\r\ntwo\tthree\nfour",
    "a   b    c", "   leading and trailing   ", "\t\r\n", "cafe\u0301 nai\u0308ve", "e\u0301\u0323x",
    "苹果，手机！？（）：；", "ＡＢＣ１２３", "don't-stop (now).", "I'm sure they'll say we'd done it, it's John's.",
    "a\u200bb", "apple\u0000phone\u0007bank", "𠀀𪜀 rare", "line one\r\nline two\r\n", "x  ", " ", "",
    "price: 42.5 dollars, 1,000,000!", "<|endoftext|>我喜欢吃苹果。<|endoftext|>", "tab\there  \n\n  two",
]
if not args.no_reference:
    model.return_extras = True
    reference = {
        "note": ("torch fp32 outputs of onnx/model.onnx's weights (scripts/make_gpt2_model.py); tensors are "
                 "little-endian float32, base64, row-major. hidden_states[0] = wte+wpe (the embeddings), "
                 "hidden_states[l] = block l's residual output (the h.{l-1} Add after the MLP), all BEFORE ln_f, "
                 "so hidden_states[L] differs from HF's hidden_states[-1], which is final_hidden = ln_f(hidden_states[L]). "
                 "lens[l] = softmax(lm_head(ln_f(hidden_states[l]))) top-k per position (lens[L] = the model's own "
                 "prediction); lens_rank[l][t] = 0-based rank at layer l of the model's final argmax at t. "
                 "attentions[l] = block l's Softmax output [heads, T, T] (zero above the diagonal). "
                 "No BOS is added by the tokenizer: ids are what the tokenizer gives for text."),
        "vocab_size": V, "tokenizer_vocab_size": V_TOK, "hidden_size": H, "num_layers": L, "num_heads": NH,
        "top_k": TOP_K, "eos_token_id": EOT, "texts": [],
    }
    for text in REFERENCE_TEXTS:
        ids = bpe.encode(text)
        with torch.no_grad():
            logits, final, hidden, attn = run(model, ids)
            lens_probs = [F.softmax(model.lm_head(model.transformer.ln_f(h[0])), dim=-1) for h in hidden]
        final_argmax = logits[0].argmax(-1)
        lens_top = [p.topk(TOP_K, dim=-1) for p in lens_probs]
        lens_rank = [(p > p.gather(-1, final_argmax[:, None])).sum(-1).tolist() for p in lens_probs]
        reference["texts"].append({
            "text": text, "input_ids": ids, "tokens": [bpe.vocab[i] for i in ids],
            "argmax": final_argmax.tolist(),
            "logits": f32_base64(logits[0]), "logits_shape": list(logits[0].shape),
            "hidden_states": f32_base64(torch.stack([h[0] for h in hidden])),
            "hidden_states_shape": [len(hidden)] + list(hidden[0][0].shape),
            "final_hidden": f32_base64(final[0]), "final_hidden_shape": list(final[0].shape),
            "attentions": f32_base64(torch.stack([a[0] for a in attn])),
            "attentions_shape": [len(attn)] + list(attn[0][0].shape),
            "lens": [{"ids": t.indices.tolist(), "probs": [[float(f"{v:.6g}") for v in row] for row in t.values.tolist()]}
                     for t in lens_top],
            "lens_rank": lens_rank,
        })
    reference["tokenizer_cases"] = [{"text": t, "ids": bpe.encode(t)} for t in TOKENIZER_CASES]
    # A cached step: the first text's last token fed after its other tokens as past, so a test can check
    # that past_key_values are concatenated and position_ids honoured (logits equal the full forward's last row).
    ids = bpe.encode(REFERENCE_TEXTS[0])
    model.return_extras = False
    with torch.no_grad():
        out = run(model, ids[:-1])
        step = run(model, ids[-1:], past_length=len(ids) - 1, pasts=list(out[1:]))
    reference["cached_step"] = {"text_index": 0, "past_length": len(ids) - 1, "input_ids": ids[-1:],
                                "logits": f32_base64(step[0][0]), "logits_shape": list(step[0][0].shape)}
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(reference, f, ensure_ascii=False)

# ---------------- config and tokenizer files (Hub layout) ----------------
config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": V, "n_positions": P, "n_ctx": P,
          "n_embd": H, "n_layer": L, "n_head": NH, "n_inner": None, "activation_function": "gelu_new",
          "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "layer_norm_epsilon": EPS,
          "initializer_range": 0.02, "scale_attn_weights": True, "use_cache": True, "bos_token_id": EOT,
          "eos_token_id": EOT, "tie_word_embeddings": True, "transformers_version": "4.44.0"}
with open(os.path.join(args.out, "config.json"), "w") as f:
    json.dump(config, f, indent=2)
with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
    json.dump(bpe.tokenizer_json(), f, ensure_ascii=False)
with open(os.path.join(args.out, "tokenizer_config.json"), "w") as f:
    json.dump({"tokenizer_class": "GPT2Tokenizer", "add_prefix_space": False, "add_bos_token": False,
               "model_max_length": P, "bos_token": END_OF_TEXT, "eos_token": END_OF_TEXT,
               "unk_token": END_OF_TEXT, "clean_up_tokenization_spaces": False}, f, indent=2)
with open(os.path.join(args.out, "special_tokens_map.json"), "w") as f:
    json.dump({"bos_token": END_OF_TEXT, "eos_token": END_OF_TEXT, "unk_token": END_OF_TEXT}, f, indent=2)
print("vocab", V_TOK, "(rows", V, ") params", sum(p.numel() for p in model.parameters()), "->", args.out)
