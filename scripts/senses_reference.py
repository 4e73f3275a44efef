#!/usr/bin/python3
"""Writes test/unit/golden/senses-reference.json: the word-senses math computed with NumPy on fixed vectors.

An answer that does not come from our own code, for test/unit/sensesMath.test.ts to check
src/engine/senses/ against (the test reads the JSON and never needs Python). Everything here follows the
definitions directly (an n×n cosine matrix for self-similarity, per-point loops for the silhouette as
scikit-learn's silhouette_samples, Lloyd with explicit centroids), not the shortcuts the TypeScript takes.
Run from the repository root: /usr/bin/python3 scripts/senses_reference.py
"""
import json
import os

import numpy as np

OUT = os.path.join("test", "unit", "golden", "senses-reference.json")
rng = np.random.default_rng(20211107)


def f32(a):
    """The float32 values the TypeScript side holds (Float32Array), as float64 for the arithmetic."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def blobs(sizes, dim, centre_scale, spread):
    """Gaussian blobs in shuffled order: rows (float32 values) and each row's blob."""
    centres = rng.normal(size=(len(sizes), dim)) * centre_scale
    truth = np.concatenate([np.full(s, b) for b, s in enumerate(sizes)])
    rng.shuffle(truth)
    rows = centres[truth] + rng.normal(size=(len(truth), dim)) * spread
    return f32(rows), truth


def standardize(x):
    """Z-score each column, population std (ddof 0); a column without spread becomes 0."""
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    out = np.zeros_like(x)
    ok = std > 1e-12 * np.maximum(1, np.abs(mean))
    out[:, ok] = (x[:, ok] - mean[ok]) / std[ok]
    return f32(out)


def unit(x):
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return f32(np.where(norm > 0, x / np.where(norm > 0, norm, 1), 0))


def cosine_matrix(x):
    u = unit(x)
    return u @ u.T


def self_similarity(x):
    """Mean cosine over ordered pairs i ≠ j; a zero row's cosine with anything is 0."""
    n = len(x)
    c = cosine_matrix(x)
    return float((c.sum() - np.trace(c)) / (n * n - n))


def pair_cosine(x, pairs):
    c = cosine_matrix(x)
    return float(np.mean([c[a, b] for a, b in pairs]))


def centroid_cosine(a, b):
    ca, cb = a.mean(axis=0), b.mean(axis=0)
    return float(ca @ cb / np.linalg.norm(ca) / np.linalg.norm(cb))


def cosine_distances(unit_rows):
    d = np.clip(1 - unit_rows @ unit_rows.T, 0, 2)
    np.fill_diagonal(d, 0)
    return d


def silhouette(d, labels):
    """scikit-learn's silhouette_samples(metric='precomputed') then the mean, written out."""
    ids = sorted(set(labels.tolist()))
    if len(ids) < 2:
        return 0.0
    s = np.zeros(len(labels))
    for i in range(len(labels)):
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = d[i, own].sum() / (own.sum() - 1)
        b = min(d[i, labels == c].mean() for c in ids if c != labels[i])
        s[i] = (b - a) / max(a, b) if max(a, b) > 0 else 0.0
    return float(s.mean())


def assign(dist):
    """Nearest centroid (first on ties); an empty cluster takes the point farthest from its own centroid."""
    n, k = dist.shape
    labels = dist.argmin(axis=1)
    own = dist[np.arange(n), labels].copy()
    size = np.bincount(labels, minlength=k)
    for j in range(k):
        if size[j] > 0:
            continue
        candidates = [i for i in range(n) if size[labels[i]] > 1]
        farthest = max(candidates, key=lambda i: own[i])  # first of the farthest
        size[labels[farthest]] -= 1
        labels[farthest] = j
        size[j] = 1
        own[farthest] = 0
    return labels


def squared_distances(x, c):
    return ((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)


def means(x, labels, k):
    return np.stack([x[labels == j].mean(axis=0) for j in range(k)])


def lloyd_from(x, initial, max_iter):
    """Lloyd's k-means from given centroids; max_iter counts assignments, the first one's included."""
    k = len(initial)
    labels = assign(squared_distances(x, initial))
    for _ in range(max_iter - 1):
        nxt = assign(squared_distances(x, means(x, labels, k)))
        if (nxt == labels).all():
            break
        labels = nxt
    return labels, means(x, labels, k)


# 3 Gaussian blobs in 16-D (12, 15 and 9 rows).
x, truth = blobs([12, 15, 9], 16, 1.0, 0.35)
n, dim = x.shape
u = unit(x)
d = cosine_distances(u)
pairs = rng.choice(n, size=(40, 2))
pairs = pairs[pairs[:, 0] != pairs[:, 1]]
random_labels = rng.integers(0, 3, size=n)
singleton_labels = truth.copy()
singleton_labels[int(np.argmax(truth == 0))] = 3  # one row alone in cluster 3

# Lloyd: from three rows of blob 0 (so that it has to move), and with a fourth centroid far from every
# row (its cluster starts empty and takes the farthest point).
start = f32(u[np.flatnonzero(truth == 0)[:3]] + 0.01)
far = np.concatenate([start, f32(-u.mean(axis=0, keepdims=True) * 5)])
lloyd_labels, lloyd_centroids = lloyd_from(u, start, 100)
empty_labels, empty_centroids = lloyd_from(u, far, 100)

# Rogue dimension (Timkey & van Schijndel 2021): 3 close blobs, plus dimension 0 near 40 for every row.
r, r_truth = blobs([10, 10, 10], 16, 0.5, 0.2)
r[:, 0] = f32(40 + 3 * rng.normal(size=len(r)))
rs = standardize(r)
r_across = [(a, b) for a in range(len(r)) for b in range(len(r)) if r_truth[a] != r_truth[b]]

# A row of zeros: no direction, cosine 0 with everything.
z = x[:6].copy()
z[2] = 0

reference = {
    "about": (
        f"Generated by scripts/senses_reference.py with NumPy {np.__version__}: word-senses math on fixed "
        "seeded vectors (float32 values), computed in float64 from the definitions."
    ),
    "blobs": {
        "n": n,
        "dim": dim,
        "vectors": flat(x),
        "truth": truth.tolist(),
        "standardized": flat(standardize(x)),
        "selfSimilarity": self_similarity(x),
        "pairs": pairs.ravel().tolist(),
        "meanPairCosine": pair_cosine(x, pairs),
        "centroidCosine01": centroid_cosine(x[truth == 0], x[truth == 1]),
        "cosineDistances": flat(d),
        "silhouette": {
            "truth": silhouette(d, truth),
            "random": silhouette(d, random_labels),
            "randomLabels": random_labels.tolist(),
            "singleton": silhouette(d, singleton_labels),
            "singletonLabels": singleton_labels.tolist(),
        },
        "lloyd": {
            "initialCentroids": flat(start),
            "labels": lloyd_labels.tolist(),
            "centroids": flat(lloyd_centroids),
        },
        "lloydEmptyCluster": {
            "initialCentroids": flat(far),
            "labels": empty_labels.tolist(),
            "centroids": flat(empty_centroids),
        },
    },
    "zeroRow": {"n": len(z), "dim": dim, "vectors": flat(z), "selfSimilarity": self_similarity(z)},
    "rogue": {
        "n": len(r),
        "dim": dim,
        "vectors": flat(r),
        "truth": r_truth.tolist(),
        "standardized": flat(rs),
        "raw": {
            "selfSimilarity": self_similarity(r),
            "acrossBlobs": pair_cosine(r, r_across),
            "centroidCosine01": centroid_cosine(r[r_truth == 0], r[r_truth == 1]),
            "silhouette": silhouette(cosine_distances(unit(r)), r_truth),
        },
        "standardizedStats": {
            "selfSimilarity": self_similarity(rs),
            "acrossBlobs": pair_cosine(rs, r_across),
            "centroidCosine01": centroid_cosine(rs[r_truth == 0], rs[r_truth == 1]),
            "silhouette": silhouette(cosine_distances(unit(rs)), r_truth),
        },
    },
}

with open(OUT, "w", encoding="utf-8") as f:
    json.dump(reference, f, indent=1)
    f.write("\n")
print(OUT, {k: v for k, v in reference["rogue"]["raw"].items()}, reference["rogue"]["standardizedStats"])
