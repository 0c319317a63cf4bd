"""The spam filter's model: naive Bayes over hashed, present-or-absent features.

For each class the model keeps how many examples it saw and, per feature bucket, in how many
of them the feature was present. Learning one example adds 1 to the buckets of its features
(O(features)); unlearning subtracts. A comment's evidence is the sum, over its features, of
log P(feature | spam) - log P(feature | ham), each estimated with add-a smoothing and capped so
that no single word decides; its score squashes that sum, divided by the square root of the
features' weight (naive Bayes counts correlated n-grams many times over), into 0..1.

A site's model is the base model (shipped with the package, trained on public data) plus the
site's own counts from its owner's decisions, which weigh `SITE_WEIGHT` times as much.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BUCKETS = 1 << 18  # 262,144: few collisions, and a bound on a site's rows (about 3 MB)
SMOOTHING = 0.5  # add-a (Laplace's is 1)
MIN_SEEN = 2  # a feature seen once is as likely chance as a sign
CAP = 4.0  # the most one feature can say, in nats
SITE_WEIGHT = 3  # an owner's decision about their own site outweighs a public example
# How much a feature's say counts, by its family (the name before the colon): a word's
# character 4-grams repeat what the word says, so each says little (tuned on Youtube01-03).
FAMILY_WEIGHTS = {"c4": 0.15}


def bucket(feature: str) -> int:
    """The feature's bucket: a stable hash, the same in every process and release."""
    return zlib.crc32(feature.encode("utf-8")) & (BUCKETS - 1)


def buckets(features: Iterable[str]) -> dict[int, str]:
    """Each feature's bucket (one feature named per bucket, for explanations), in the order
    of the names: a score is then summed in the same order in every process, to the bit."""
    return {bucket(f): f for f in sorted(features)}


@dataclass
class Counts:
    """Examples seen per class, and per bucket how many of them had a feature there."""

    spam_docs: int = 0
    ham_docs: int = 0
    spam: dict[int, int] = field(default_factory=dict)
    ham: dict[int, int] = field(default_factory=dict)

    def learn(self, keys: Iterable[int], is_spam: bool, times: int = 1) -> None:
        """Count one example (or, with times=-1, take one back)."""
        table = self.spam if is_spam else self.ham
        for key in keys:
            table[key] = table.get(key, 0) + times
        if is_spam:
            self.spam_docs += times
        else:
            self.ham_docs += times


@dataclass(frozen=True)
class Calibration:
    """How evidence becomes a score: sigmoid(scale * evidence / sqrt(features' weight) + offset)."""

    scale: float = 1.0
    offset: float = 0.0


@dataclass(frozen=True)
class Evidence:
    score: float
    raw: float  # the evidence before calibration
    # Each feature's say, in nats (positive: spam), the strongest first.
    contributions: list[tuple[str, float]]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def evidence(
    named: Mapping[int, str],
    base: Counts,
    calibration: Calibration,
    site: Counts | None = None,
    explain: bool = False,
) -> Evidence:
    """The score of an example whose features are `named` (bucket → feature), by the base
    counts plus the site's (whose tables need hold only these buckets)."""
    w = SITE_WEIGHT
    spam_docs, ham_docs = base.spam_docs, base.ham_docs
    site_spam: Mapping[int, int] = {}
    site_ham: Mapping[int, int] = {}
    if site is not None:
        spam_docs += w * site.spam_docs
        ham_docs += w * site.ham_docs
        site_spam, site_ham = site.spam, site.ham
    a = SMOOTHING
    log_spam_total = math.log(spam_docs + 2 * a)
    log_ham_total = math.log(ham_docs + 2 * a)
    total, weight = 0.0, 0.0
    said: list[tuple[str, float]] = []
    base_spam, base_ham, log = base.spam, base.ham, math.log
    for key, name in named.items():
        family_weight = FAMILY_WEIGHTS.get(name.partition(":")[0], 1.0)
        weight += family_weight
        s = base_spam.get(key, 0) + w * max(site_spam.get(key, 0), 0)
        h = base_ham.get(key, 0) + w * max(site_ham.get(key, 0), 0)
        if s + h < MIN_SEEN:
            continue  # (almost) never seen: it says nothing either way
        say = (log(s + a) - log_spam_total) - (log(h + a) - log_ham_total)
        say = family_weight * (CAP if say > CAP else -CAP if say < -CAP else say)
        total += say
        if explain:
            said.append((name, say))
    raw = total / math.sqrt(max(weight, 1.0))
    score = _sigmoid(calibration.scale * raw + calibration.offset)
    said.sort(key=lambda pair: -abs(pair[1]))
    return Evidence(score, raw, said)
