"""Byte-level BPE as GPT-2 and Hugging Face `tokenizers` do it, written out by hand because Debian has
neither `tokenizers` nor the `regex` module: the GPT-2 pre-tokenizer regex, the byte-to-unicode map,
merge learning on a small corpus, encoding, and the tokenizer.json that describes the same tokenizer.
The generator (make_gpt2_model.py) uses this; the unit test checks transformers.js gives the same ids."""
import unicodedata
from collections import Counter

END_OF_TEXT = "<|endoftext|>"
# The pattern HF's ByteLevel pre-tokenizer uses (use_regex true); pre_tokenize() below implements it.
GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
# JavaScript's \s (transformers.js runs the pattern as a JS regex): Unicode White_Space plus U+FEFF.
_JS_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}
_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")


def _is_space(ch):
    return ch in _JS_SPACE


def _is_letter(ch):
    return unicodedata.category(ch).startswith("L")


def _is_number(ch):
    return unicodedata.category(ch).startswith("N")


def _is_other(ch):
    return not (_is_space(ch) or _is_letter(ch) or _is_number(ch))


def pre_tokenize(text):
    """GPT2_PATTERN's matches, left to right (alternatives in order, as a backtracking regex tries them)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = next((k for k in _CONTRACTIONS if text.startswith(k, i)), None)
        if c:
            out.append(c)
            i += len(c)
            continue
        start = i + 1 if text[i] == " " and i + 1 < n else i
        matched = False
        for cls in (_is_letter, _is_number, _is_other):
            if cls(text[start]):  # " ?X+": the optional space is only taken when X follows it
                j = start
                while j < n and cls(text[j]):
                    j += 1
                out.append(text[i:j])
                i, matched = j, True
                break
        if matched:
            continue
        # \s+(?!\S), else \s+
        j = i
        while j < n and _is_space(text[j]):
            j += 1
        if j == i:  # not whitespace and no class matched: cannot happen (classes cover every character)
            raise ValueError(f"pre_tokenize: no match at {i} in {text!r}")
        if j < n and j - i > 1:
            j -= 1  # leave the last space to the word after it
        out.append(text[i:j])
        i = j
    return out


def bytes_to_unicode():
    """GPT-2's reversible map from bytes to printable characters; also the order of the first 256 ids."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    k = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + k)
            k += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_CHAR = bytes_to_unicode()


def to_byte_chars(piece):
    return "".join(BYTE_CHAR[b] for b in piece.encode("utf-8"))


BYTE_OF = {c: b for b, c in BYTE_CHAR.items()}


def mergeable(a, b):
    """A merge may join ASCII with ASCII (words, ' the') or bytes of one non-ASCII character (optionally after
    a space), never two non-ASCII characters: a Chinese run has no spaces, so plain BPE on a small corpus
    would learn whole sentences as tokens, unlike GPT-2's vocabulary where a CJK character is one to three
    tokens. This keeps the fixture's tokens the shapes the engine meets in real models."""
    data = bytes(BYTE_OF[c] for c in a + b)
    if all(x < 0x80 for x in data):
        return True
    if data[:1] == b" ":
        data = data[1:]
    lead = [x for x in data if x < 0x80 or x >= 0xC0]  # ASCII bytes and UTF-8 lead bytes each start a character
    return len(lead) <= 1 and all(x >= 0x80 for x in data) and (not lead or data[0] == lead[0])


def learn_merges(texts, num_merges, min_count=2):
    """Classic BPE training: merge the most frequent adjacent pair (ties: the pair first seen in sorted order),
    among the pairs mergeable() allows."""
    words = Counter()
    for t in texts:
        for part in split_special(t):
            if part != END_OF_TEXT:
                for p in pre_tokenize(part):
                    words[tuple(to_byte_chars(p))] += 1
    words = {w: c for w, c in words.items()}
    merges = []
    for _ in range(num_merges):
        pairs = Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                if mergeable(a, b):
                    pairs[(a, b)] += c
        if not pairs:
            break
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if best[1] < min_count:
            break
        a, b = best[0]
        merges.append((a, b))
        new_words = {}
        for w, c in words.items():
            out, k = [], 0
            while k < len(w):
                if k + 1 < len(w) and w[k] == a and w[k + 1] == b:
                    out.append(a + b)
                    k += 2
                else:
                    out.append(w[k])
                    k += 1
            new_words[tuple(out)] = new_words.get(tuple(out), 0) + c
        words = new_words
    return merges


def split_special(text):
    parts, i = [], 0
    while True:
        j = text.find(END_OF_TEXT, i)
        if j < 0:
            break
        if j > i:
            parts.append(text[i:j])
        parts.append(END_OF_TEXT)
        i = j + len(END_OF_TEXT)
    if i < len(text):
        parts.append(text[i:])
    return parts


class ByteLevelBPE:
    def __init__(self, merges):
        self.merges = merges
        self.rank = {m: r for r, m in enumerate(merges)}
        order = sorted(BYTE_CHAR.items(), key=lambda kv: ord(kv[1]))
        self.vocab = [ch for _, ch in order] + [a + b for a, b in merges] + [END_OF_TEXT]
        self.tok2id = {t: i for i, t in enumerate(self.vocab)}
        self.eot = self.tok2id[END_OF_TEXT]

    def _bpe(self, word):
        w = list(word)
        while len(w) > 1:
            ranked = [(self.rank.get((a, b), 1 << 30), k) for k, (a, b) in enumerate(zip(w, w[1:]))]
            r, _ = min(ranked)
            if r == 1 << 30:
                break
            a, b = self.merges[r]
            out, k = [], 0
            while k < len(w):
                if k + 1 < len(w) and w[k] == a and w[k + 1] == b:
                    out.append(a + b)
                    k += 2
                else:
                    out.append(w[k])
                    k += 1
            w = out
        return w

    def tokens(self, text):
        out = []
        for part in split_special(text):
            if part == END_OF_TEXT:
                out.append(part)
            else:
                for p in pre_tokenize(part):
                    out += self._bpe(to_byte_chars(p))
        return out

    def encode(self, text):
        return [self.tok2id[t] for t in self.tokens(text)]

    def tokenizer_json(self):
        byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
        return {
            "version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": self.eot, "content": END_OF_TEXT, "single_word": False, "lstrip": False,
                              "rstrip": False, "normalized": True, "special": True}],
            "normalizer": None,
            "pre_tokenizer": byte_level,
            "post_processor": {**byte_level, "trim_offsets": False},
            "decoder": {**byte_level},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                      "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.tok2id, "merges": [f"{a} {b}" for a, b in self.merges]},
        }
