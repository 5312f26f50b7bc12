"""Compare two names: token alignment, a score in [0, 1] and an explanation.

The score is a weighted geometric mean of the aligned token similarities, so one clearly
different token (another first name, a surname one consonant off, a feminine form) pulls the
whole name below the threshold, while missing patronymics and initials cost little.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from freedomledger.names.equivalents import GIVEN_BY_ID
from freedomledger.names.phonetic import skeleton, vowels_compatible
from freedomledger.names.tokens import ParsedName, TokenInfo, parse_name

DEFAULT_THRESHOLD = 0.85
# Weights and penalties of the score (see docs/names.md).
W_NAME = 1.0
W_PATRONYMIC = 0.5
W_INITIAL = 0.3
W_MISSING_NAME = 0.5
S_MISSING_NAME = 0.3
W_MISSING_INITIAL = 0.1
S_MISSING_INITIAL = 0.5
MIN_ALIGN = 0.3  # below this, leaving two tokens unaligned costs less than pairing them
CAP_NO_NAME = 0.5  # score cap when no full name token agrees (only initials/patronymics)
# Cap when only given names (and patronymics) agree and some name token is not confirmed:
# "Vasil K." or "Vladimir Ivanovich" against a full name. Below the index's default
# min_score, so such names are never search hits.
CAP_GIVEN_ONLY = 0.69

REASONS = {
    "same": "identical",
    "translit": "same after transliteration",
    "given": "given-name equivalent",
    "patronymic": "patronymics of equivalent names",
    "variant": "Belarusian/Russian or romanisation variant",
    "ending": "foreign grammatical ending",
    "initial": "initial",
    "gender": "masculine vs feminine form",
    "different": "different",
}


@dataclass(frozen=True, slots=True)
class TokenPair:
    """One aligned pair of tokens (a from the first name, b from the second)."""

    a: str
    b: str
    score: float
    reason: str
    detail: str = ""

    def describe(self) -> str:
        rel = "=" if self.reason in ("same", "translit") else "~" if self.score >= 0.8 else "≠"
        text = REASONS.get(self.reason, self.reason)
        if self.detail:
            text = f"{text}: {self.detail}"
        return f"{self.a} {rel} {self.b} ({text}, {self.score:.2f})"


@dataclass(frozen=True, slots=True)
class Comparison:
    score: float
    match: bool
    threshold: float
    kind: str
    alignment: tuple[TokenPair, ...]
    unmatched_a: tuple[str, ...] = ()
    unmatched_b: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def explanation(self) -> str:
        verdict = "match" if self.match else "no match"
        parts = [pair.describe() for pair in self.alignment]
        if self.unmatched_a:
            parts.append("only in A: " + " ".join(self.unmatched_a))
        if self.unmatched_b:
            parts.append("only in B: " + " ".join(self.unmatched_b))
        parts.extend(self.notes)
        body = "; ".join(parts) if parts else "nothing to compare"
        return f"{self.score:.2f} {verdict} (threshold {self.threshold:.2f}): {body}"

    def to_dict(self) -> dict[str, object]:
        return {
            "score": round(self.score, 4),
            "match": self.match,
            "threshold": self.threshold,
            "kind": self.kind,
            "explanation": self.explanation,
            "alignment": [
                {"a": p.a, "b": p.b, "score": round(p.score, 4), "reason": p.reason}
                for p in self.alignment
            ],
            "unmatched_a": list(self.unmatched_a),
            "unmatched_b": list(self.unmatched_b),
        }


_lev = Levenshtein.normalized_similarity


def _best(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if len(a) == 1 and len(b) == 1:
        return _lev(a[0], b[0])
    return max(_lev(x, y) for x in a for y in b)


def _gender_conflict(a: TokenInfo, b: TokenInfo) -> bool:
    return ("f" in a.genders and "m" in b.genders and "f" not in b.genders) or (
        "f" in b.genders and "m" in a.genders and "f" not in a.genders
    )


_FOREIGN_ENDINGS = (("as", ""), ("is", ""), ("us", ""), ("s", ""), ("ova", "a"))


@lru_cache(maxsize=300_000)
def ending_stripped(info: TokenInfo) -> tuple[str, ...]:
    """Skeletons of a token without a Lithuanian/Latvian nominative ending (Putinas, Putins)
    or a Czech -ová added to a foreign surname (Pachodavová for Pachodava)."""
    out: list[str] = []
    for key in info.keys:
        if len(key) < 5:
            continue
        for suffix, repl in _FOREIGN_ENDINGS:
            if key.endswith(suffix):
                out.append(skeleton(key[: -len(suffix)] + repl))
    return tuple(dict.fromkeys(out))


def _foreign_ending(a: TokenInfo, b: TokenInfo) -> bool:
    return any(s in b.skels for s in ending_stripped(a)) or any(
        s in a.skels for s in ending_stripped(b)
    )


def _vowels_agree(a: TokenInfo, b: TokenInfo) -> bool:
    return any(
        skeleton(x) == skeleton(y) and vowels_compatible(x, y) for x in a.keys for y in b.keys
    )


@lru_cache(maxsize=500_000)
def _token_sim_cached(a: TokenInfo, b: TokenInfo) -> tuple[float, str, str]:
    if a.text == b.text:
        return 1.0, "same", ""
    bk = b.keys
    if (a.keys[0] in bk) if len(a.keys) == 1 else any(k in bk for k in a.keys):
        return 1.0, "translit", ""
    if a.pgender and b.pgender and a.pstems & b.pstems:
        if a.pgender != b.pgender:
            return 0.3, "gender", ""
        return 0.96, "patronymic", given_name_label(sorted(a.pstems & b.pstems)[0])
    if a.classes and a.classes & b.classes:
        return 0.96, "given", given_name_label(sorted(a.classes & b.classes)[0])
    fine = _best(a.keys, bk)
    bs = b.skels
    same_skel = (a.skels[0] in bs) if len(a.skels) == 1 else any(x in bs for x in a.skels)
    if same_skel and _vowels_agree(a, b):
        if _gender_conflict(a, b):
            return 0.35, "gender", ""
        if a.classes and b.classes:
            # both are known given names, of different names (Yulia/Ilya share nothing).
            return 0.5 * fine, "different", ""
        return 0.9 + 0.08 * fine, "variant", ""
    if _foreign_ending(a, b):
        return 0.9, "ending", ""
    base = (fine + _best(a.skels, bs)) / 2
    return 0.7 * base**3, "different", ""


def token_similarity(a: TokenInfo, b: TokenInfo) -> tuple[float, str, str]:
    """Similarity of two tokens in [0, 1] with a reason code and detail; symmetric."""
    if a.text > b.text or (a.text == b.text and a.lang > b.lang):
        a, b = b, a
    return _token_sim_cached(a, b)


Aligned = list[tuple[int, int, float, float, str, str]]


def _align(xi: Sequence[TokenInfo], xr: str, yi: Sequence[TokenInfo], yr: str) -> Aligned:
    """Greedy one-to-one alignment, best pairs first (optimal for the 2-4 tokens of a name
    whenever pair similarities are clearly high or low, which is the usual case)."""
    # The index scores hundreds of names per query through here: token_similarity is
    # inlined and the used tokens are bit sets (the same result, a third less time).
    cands = []
    both_p = "P" in xr and "P" in yr  # then patronymics pair with patronymics only
    for i, a in enumerate(xi):
        ra = xr[i]
        a_text, a_lang = a.text, a.lang
        for j, b in enumerate(yi):
            rb = yr[j]
            if both_p and (ra == "P") != (rb == "P"):
                continue
            if ra == "I" or rb == "I":
                if a.letters.isdisjoint(b.letters) and a_text != b.text:
                    continue
                sim, w, reason, detail = (1.0 if ra == rb else 0.9), W_INITIAL, "initial", ""
            else:
                b_text = b.text
                if a_text > b_text or (a_text == b_text and a_lang > b.lang):
                    sim, reason, detail = _token_sim_cached(b, a)
                else:
                    sim, reason, detail = _token_sim_cached(a, b)
                if ra == "P" and rb == "P":
                    # Two patronymics always pair up; an agreeing one adds little, a different
                    # one weighs like a different name (brothers share it, father and son not).
                    w = W_PATRONYMIC if sim >= 0.8 else W_NAME
                elif sim < MIN_ALIGN:
                    continue
                else:
                    w = W_PATRONYMIC if (ra == "P" or rb == "P") else W_NAME
            cands.append((sim, ra == rb, w, -i, -j, reason, detail))
    cands.sort(reverse=True)
    used_a = used_b = 0
    out: Aligned = []
    for sim, _same, w, ni, nj, reason, detail in cands:
        bit_a, bit_b = 1 << -ni, 1 << -nj
        if used_a & bit_a or used_b & bit_b:
            continue
        used_a |= bit_a
        used_b |= bit_b
        out.append((-ni, -nj, sim, w, reason, detail))
    out.sort()
    return out


_MISSING = {"P": (0.0, 1.0), "I": (W_MISSING_INITIAL, S_MISSING_INITIAL), "N": (W_MISSING_NAME, S_MISSING_NAME)}
# (weight, weight * log(similarity)) of a token left unaligned, by role; patronymics cost nothing.
_MISSING_TERMS = {role: (w, w * math.log(s)) for role, (w, s) in _MISSING.items() if w}


def _joined_skeleton(infos: Sequence[TokenInfo]) -> str:
    return skeleton("".join(i.keys[0] for i in infos))


def _score(xi: Sequence[TokenInfo], xr: str, yi: Sequence[TokenInfo], yr: str, kind: str,
           aligned: Aligned) -> tuple[float, list[str]]:  # fmt: skip
    num = 0.0
    den = 0.0
    name_agree = False
    notes: list[str] = []
    beyond_given = False  # a full token other than a known given name agrees (a surname)
    unconfirmed = False  # a name token has no full-token partner of >= 0.8
    used_x = used_y = 0
    for i, j, sim, w, _reason, _detail in aligned:
        used_x |= 1 << i
        used_y |= 1 << j
        num += w * math.log(sim if sim > 1e-3 else 1e-3)
        den += w
        ri, rj = xr[i], yr[j]
        full = ri != "I" and rj != "I"
        if sim >= 0.8 and full:
            name_agree = True
            if not (xi[i].classes and yi[j].classes) and not (ri == "P" and rj == "P"):
                beyond_given = True
        elif ri == "N" or rj == "N":
            unconfirmed = True
    # Tokens left unaligned, the first name's in order, then the second's.
    missing = [r for k, r in enumerate(xr) if not used_x >> k & 1] + [r for k, r in enumerate(yr) if not used_y >> k & 1]
    for role in missing:
        term = _MISSING_TERMS.get(role)
        if term:
            den += term[0]
            num += term[1]
    unconfirmed = unconfirmed or "N" in missing
    score = math.exp(num / den) if den else 0.0
    if "P" in missing:
        notes.append("a patronymic present on one side only is ignored")
    if kind == "organization" and (missing or score < 0.95):
        if _joined_skeleton(xi) == _joined_skeleton(yi):
            score = max(score, 0.95)
            name_agree = True
            notes.append("same letters when the words are joined")
    if not name_agree and score > CAP_NO_NAME:
        score = CAP_NO_NAME
        notes.append("no full name token agrees")
    elif kind == "person" and not beyond_given and unconfirmed and score > CAP_GIVEN_ONLY:
        # "Vasil K." or "Vladimir P." against a full name: a shared given name is weak evidence.
        score = CAP_GIVEN_ONLY
        notes.append("only a given name agrees")
    return min(1.0, max(0.0, score)), notes


def _comes_after(xi: Sequence[TokenInfo], x_original: str, yi: Sequence[TokenInfo], y_original: str) -> bool:
    """Whether name x sorts after name y in the canonical order: by token texts, then by the
    original text (the tuple order of ((texts...), original), without building the tuples)."""
    for a, b in zip(xi, yi):
        if a.text != b.text:
            return a.text > b.text
    if len(xi) != len(yi):
        return len(xi) > len(yi)
    return x_original > y_original


def score_tokens(xi: Sequence[TokenInfo], xr: str, x_original: str, yi: Sequence[TokenInfo],
                 yr: str, y_original: str, kind: str) -> float:  # fmt: skip
    """The score of compare() from token infos and roles alone (the index's fast path)."""
    if not xi or not yi:
        return 0.0
    if _comes_after(xi, x_original, yi, y_original):
        xi, xr, yi, yr = yi, yr, xi, xr
    return _score(xi, xr, yi, yr, kind, _align(xi, xr, yi, yr))[0]


def _compare_parsed(x: ParsedName, y: ParsedName, threshold: float) -> Comparison:
    kind = x.kind
    xi = [t.info for t in x.tokens]
    yi = [t.info for t in y.tokens]
    xr = "".join(t.role for t in x.tokens)
    yr = "".join(t.role for t in y.tokens)
    if not xi or not yi:
        return Comparison(0.0, False, threshold, kind, (), tuple(t.text for t in x.tokens),
                          tuple(t.text for t in y.tokens), ("a name is empty",))  # fmt: skip
    aligned = _align(xi, xr, yi, yr)
    score, notes = _score(xi, xr, yi, yr, kind, aligned)
    pairs = tuple(TokenPair(xi[i].text, yi[j].text, sim, reason, detail)
                  for i, j, sim, _w, reason, detail in aligned)  # fmt: skip
    ia = {a[0] for a in aligned}
    jb = {a[1] for a in aligned}
    if any(p.reason == "gender" for p in pairs):
        notes.append("a masculine and a feminine form are different people")
    if x.legal_forms or y.legal_forms:
        forms = f"{' '.join(x.legal_forms) or '-'} / {' '.join(y.legal_forms) or '-'}"
        notes.append(f"legal forms ignored ({forms})")
    return Comparison(
        score,
        score >= threshold,
        threshold,
        kind,
        pairs,
        tuple(i.text for k, i in enumerate(xi) if k not in ia),
        tuple(i.text for k, i in enumerate(yi) if k not in jb),
        tuple(notes),
    )


def _swap(c: Comparison) -> Comparison:
    pairs = tuple(TokenPair(p.b, p.a, p.score, p.reason, p.detail) for p in c.alignment)
    return Comparison(c.score, c.match, c.threshold, c.kind, pairs, c.unmatched_b,
                      c.unmatched_a, c.notes)  # fmt: skip


def compare_parsed(x: ParsedName, y: ParsedName, threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    """compare() on names parsed already; symmetric in x and y."""
    # Work in one canonical order so that compare(a, b) and compare(b, a) agree exactly.
    if _comes_after([t.info for t in x.tokens], x.original, [t.info for t in y.tokens], y.original):
        return _swap(_compare_parsed(y, x, threshold))
    return _compare_parsed(x, y, threshold)


def compare(
    a: str, b: str, kind: str = "person", threshold: float = DEFAULT_THRESHOLD
) -> Comparison:
    """Compare two names of one kind ("person" or "organization"); symmetric in a and b."""
    return compare_parsed(parse_name(a, kind), parse_name(b, kind), threshold)


def given_name_label(cid: str) -> str:
    g = GIVEN_BY_ID.get(cid)
    return f"{g.be}/{g.ru}" if g else cid
