"""When and where a trigger happened: its date, whether that is recent, which state held the
prisoners, and which sentences of an article belong to the same moment.

Split from events.py; the rules are explained there.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Sequence

from freedomledger.extract.dates import DateMention
from freedomledger.extract.lexicon import territory_code
from freedomledger.extract.people import PersonIndex
from freedomledger.extract.segment import Sentence
from freedomledger.extract.triggers import Trigger

RECENT_DAYS = 7
_OTHER_EVENT_WORDS = re.compile(
    r"arrest|detain|sentenc|jail|convict|elect|born|took\s+office|taking\s+office|invasion|protest|"
    r"ruled|founded|задерж|арест|осужд|приговор|выбор|затрыма|арышт|асудж|выбар",
    re.I,
)
RECAP_CUE = re.compile(
    r"\b(?:earlier|previous(?:ly)?|last\s+time|before\s+that|in\s+the\s+past|prior|formerly|"
    r"had\s+been\s+(?:freed|released|pardoned)|had\s+(?:freed|released|pardoned)|"
    r"ранее|раньше|раней|перад\s+гэтым)\b",
    re.I,
)
_OPINION_MARK = re.compile(r"^\s*(?:opinion|comment|commentary|analysis|editorial|op-ed|column|"
                           r"мнение|колонка|меркаванне|каментар)\b\s*[:|–—-]", re.I)
_NORMATIVE = re.compile(r"\b(?:should|must|ought\s+to|need\s+to|it\s+is\s+time|let\s+us|we\s+cannot)\b", re.I)
_REPORT_VERB_BEFORE = re.compile(
    r"(?i:\b(?:said|says|announced|reported|confirmed|stated|wrote|added|told\s+[\w.]+|"
    r"сообщил\w*|заявил\w*|паведамі\w*|заявіў|заявіла)\s+$)")


def is_report_date(text: str, d: DateMention) -> bool:
    """"…, the ministry said on Friday": the day of the report, not of what it reports."""
    return bool(_REPORT_VERB_BEFORE.search(text[max(0, d.start - 30):d.start]))


def _distance(d: DateMention, trigger: Trigger) -> int:
    return d.start - trigger.end if d.start >= trigger.end else trigger.start - d.end + 40


def trigger_date(text: str, trigger: Trigger, dates: list[DateMention],
                 quotes: Sequence[tuple[int, int]] = ()) -> DateMention | None:
    """The date the trigger's sentence gives for it, skipping dates of other happenings.

    A relative date inside a quotation ("Today's release…", posted the day before the article)
    counts from when the words were said, which the article does not give, so it is not used.
    """
    sentence = trigger.sentence
    best: DateMention | None = None
    for d in dates:
        if not (sentence.start <= d.start < sentence.end) or d.first is None:
            continue
        if d.relative and any(qs < d.start < qe for qs, qe in quotes):
            continue
        if is_report_date(text, d):
            continue
        if re.match(r"(?i:since|с|з)\b", d.text) or re.search(r"(?i:since|until)\s+$", text[max(0, d.start - 7):d.start]):
            continue
        between = text[trigger.end:d.start] if d.start >= trigger.end else text[d.end:trigger.start]
        if _OTHER_EVENT_WORDS.search(between) or re.search(r"(?i:election|vote|выбар|выбор)", text[d.end:d.end + 12]):
            continue
        if best is None or _distance(d, trigger) < _distance(best, trigger):
            best = d
    return best


def same_time(a: DateMention, b: DateMention) -> bool:
    if a.first is None or b.first is None or a.last is None or b.last is None:
        return False
    return a.first <= b.last and b.first <= a.last


def is_recent(date: DateMention | None, published: dt.date | None) -> bool:
    if date is None or published is None or date.first is None:
        return True
    # The whole period must fall in the window: "in December", read in January, is a recap.
    return date.first >= published - dt.timedelta(days=RECENT_DAYS)


def releasing_country(text: str, trigger: Trigger | None, people: PersonIndex) -> str | None:
    """The state that held the prisoners: the subject of the release verb, else the country
    the article names most often."""
    if trigger is not None:
        agent = re.match(r"\s+(?:\w+\s+){0,2}?by\s+(?:the\s+)?(?:authorities\s+(?:of|in)\s+)?([A-Z][\w'’-]+)",
                         text[trigger.end:trigger.sentence.end])
        if agent and territory_code(agent.group(1)):
            return territory_code(agent.group(1))
        before = text[trigger.sentence.start:trigger.start]
        for m in reversed(list(re.finditer(r"[A-ZА-ЯІЎ][\w'’.-]+", before))):
            code = territory_code(m.group(0))
            if code and not re.search(r"(?i:with|from|to|by|in|into)\s+(?:the\s+)?$", before[:m.start()]) \
                    and not re.match(r"\s+(?:on\s+\w+\s+)?(?:received|accepted|welcomed|took\s+in)", before[m.end():]):
                return code
        for mention in people.in_range(trigger.sentence.start, trigger.start):
            if people.is_head_of_state(mention.full) and people.nationality.get(mention.full):
                return people.nationality[mention.full]
    tally: dict[str, int] = {}
    for m in re.finditer(r"\b(?:Belarus\w*|Minsk|Беларус\w*|Белорус\w*|Минск\w*|Мінск\w*|Russia\w*|Росси\w*|"
                         r"Azerbaijan\w*|Venezuela\w*|Iran\w*|China|Chinese|Georgia\w*)\b", text):
        code = territory_code(m.group(0)) or {"Беларус": "BY", "Белорус": "BY", "Минск": "BY",
                                               "Мінск": "BY", "Росси": "RU"}.get(m.group(0)[:7].rstrip("аеиоуяюы"))
        if code:
            tally[code] = tally.get(code, 0) + 1
    return max(tally, key=lambda c: tally[c]) if tally else None


def is_opinion(title: str | None, section: str | None, text: str, quotes: list[tuple[int, int]]) -> bool:
    if section and re.match(r"(?i)opinion|comment|analysis|editorial|column|blog", section):
        return True
    if title and _OPINION_MARK.match(title):
        return True
    if _OPINION_MARK.match(text[:80]):
        return True
    outside = [m for m in _NORMATIVE.finditer(text) if not any(s < m.start() < e for s, e in quotes)]
    return len(outside) >= 3


def rank(date: DateMention) -> int:
    return {"day": 0, "range": 1, "month": 2, "year": 3}.get(date.precision or "", 4)


def fold_coarse_groups(groups: dict[str, list[Trigger]], dates: dict[str, DateMention | None]) -> None:
    """A vague date ("in December", "in 2025") over precise ones: with one precise group inside
    it, it is the same release told twice and joins it; with several it is a summary and goes."""
    known = {k: d for k, d in dates.items() if d is not None}
    for key in sorted(groups, key=lambda k: -rank(known[k]) if k in known else 0):
        date = known.get(key)
        if date is None or key not in groups:
            continue
        inside = [k for k in groups if k != key and k in known
                  and rank(known[k]) < rank(date) and same_time(known[k], date)]
        if len(inside) == 1:
            groups[inside[0]] = sorted(groups[inside[0]] + groups.pop(key), key=lambda t: t.start)
            if key == "main":
                groups["main"] = groups.pop(inside[0])
                dates["main"] = known[inside[0]]
        elif len(inside) > 1:
            groups.pop(key)


def dates_by_sentence(content: list[Sentence], dates: list[DateMention]) -> dict[int, list[DateMention]]:
    found: dict[int, list[DateMention]] = {}
    starts = [s.start for s in content]
    for d in dates:
        at = bisect.bisect_right(starts, d.start) - 1
        if at >= 0 and d.start < content[at].end:
            found.setdefault(content[at].index, []).append(d)
    return found


def sentence_fits(text: str, sentence: Sentence, dates: list[DateMention], main_date: DateMention | None,
                   members: list[Trigger]) -> bool:
    if any(t.sentence.index == sentence.index for t in members):
        return True
    if RECAP_CUE.search(sentence.text):
        return False
    for d in dates:
        if d.first is not None and not is_report_date(text, d):
            if main_date is None or not same_time(d, main_date):
                return False
    return True
