"""The base model every site starts from: counts from public labelled comments, shipped with
the package as base_model.json.gz, and how it is built (`widget spam build-base`).

Building trains on the YouTube Spam Collection's Youtube01-03 only (04-05 are held out for
bench/), and fits the calibration (how evidence becomes a score near a probability) on
leave-one-video-out scores: each video's comments scored by a model of the other two, as a
new site's comments would be scored by a model that never saw that site.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .corpus import BUILD_FILES, Example, youtube_csv
from .features import features
from .model import Calibration, Counts, buckets, evidence

BASE_MODEL = Path(__file__).with_name("base_model.json.gz")
FORMAT = 1


@dataclass(frozen=True)
class BaseModel:
    counts: Counts
    calibration: Calibration
    trained_on: tuple[str, ...]


def train(examples: Sequence[Example]) -> Counts:
    counts = Counts()
    for example in examples:
        counts.learn(buckets(features(example.sample)), example.is_spam)
    return counts


def fit_calibration(points: Sequence[tuple[float, bool]]) -> Calibration:
    """Platt scaling: the logistic curve through (evidence, is spam) of most likelihood,
    by Newton's method (two parameters, so a few steps)."""
    scale, offset = 1.0, 0.0
    for _ in range(50):
        g_s = g_o = h_ss = h_so = h_oo = 0.0
        for x, y in points:
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, scale * x + offset))))
            err, w = p - (1.0 if y else 0.0), max(p * (1.0 - p), 1e-9)
            g_s, g_o = g_s + err * x, g_o + err
            h_ss, h_so, h_oo = h_ss + w * x * x, h_so + w * x, h_oo + w
        h_ss, h_oo = h_ss + 1e-6, h_oo + 1e-6  # a little ridge keeps it solvable
        det = h_ss * h_oo - h_so * h_so
        step_s = (h_oo * g_s - h_so * g_o) / det
        step_o = (h_ss * g_o - h_so * g_s) / det
        scale, offset = scale - step_s, offset - step_o
        if abs(step_s) + abs(step_o) < 1e-9:
            break
    return Calibration(scale=scale, offset=offset)


def held_out_scores(
    by_file: dict[str, list[Example]], calibration: Calibration
) -> list[tuple[float, float, bool]]:
    """(score, evidence, is spam) of every example, each file scored by a model of the others."""
    found = []
    for name, held in by_file.items():
        counts = train([e for other, ex in by_file.items() if other != name for e in ex])
        for example in held:
            said = evidence(buckets(features(example.sample)), counts, calibration)
            found.append((said.score, said.raw, example.is_spam))
    return found


def build(folder: Path, names: Sequence[str] = BUILD_FILES) -> BaseModel:
    """The base model from these files of the collection, with its calibration."""
    by_file = {name: youtube_csv(folder / name) for name in names}
    raw = [(x, y) for _, x, y in held_out_scores(by_file, Calibration())]
    return BaseModel(
        counts=train([e for examples in by_file.values() for e in examples]),
        calibration=fit_calibration(raw),
        trained_on=tuple(names),
    )


def save(model: BaseModel, path: Path = BASE_MODEL) -> None:
    """Write the model, whole or not at all (a temporary file renamed over the old one)."""
    counts = model.counts
    keys = sorted(set(counts.spam) | set(counts.ham))
    data = {
        "format": FORMAT,
        "trained_on": list(model.trained_on),
        "spam_docs": counts.spam_docs,
        "ham_docs": counts.ham_docs,
        "calibration": {"scale": model.calibration.scale, "offset": model.calibration.offset},
        # bucket, spam examples, ham examples: one flat list, the smallest JSON for it
        "buckets": [n for k in keys for n in (k, counts.spam.get(k, 0), counts.ham.get(k, 0))],
    }
    text = json.dumps(data, separators=(",", ":")).encode("utf-8")
    part = path.with_suffix(".part")
    part.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))  # the same bytes each build
    part.replace(path)


def read(path: Path) -> BaseModel:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a base model of format {FORMAT}")
    flat = data["buckets"]
    spam = {flat[i]: flat[i + 1] for i in range(0, len(flat), 3) if flat[i + 1]}
    ham = {flat[i]: flat[i + 2] for i in range(0, len(flat), 3) if flat[i + 2]}
    return BaseModel(
        counts=Counts(data["spam_docs"], data["ham_docs"], spam, ham),
        calibration=Calibration(**data["calibration"]),
        trained_on=tuple(data["trained_on"]),
    )


@functools.cache
def shipped() -> BaseModel:
    """The base model shipped with the package, read once per process (it never changes)."""
    return read(BASE_MODEL)
