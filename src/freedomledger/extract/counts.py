"""How many people a sentence says were freed, and whether that number is the total.

Reports give one total and often several smaller numbers beside it: "fourteen foreigners
among those freed", "15 were taken to Lithuania", "Belarus still holds 1,100". Each count is
found with its qualifier ("more than", "dozens") and given a role: total, subset (with a
destination when it says where the group went), held (still in prison) or cumulative (a tally
over months, not one event).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from freedomledger.extract.lexicon import territory_code
from freedomledger.extract.numbers import number_word_pattern, parse_number

_QUALIFIERS = {
    "more than": "more_than", "over": "more_than", "upwards of": "more_than", "in excess of": "more_than",
    "at least": "at_least", "no fewer than": "at_least", "nearly": "nearly", "almost": "nearly",
    "close to": "nearly", "about": "about", "around": "about", "approximately": "about",
    "roughly": "about", "some": "about", "an estimated": "about", "up to": "up_to",
    "as many as": "up_to", "fewer than": "fewer_than", "less than": "fewer_than",
    "более": "more_than", "больше": "more_than", "свыше": "more_than", "около": "about",
    "почти": "nearly", "не менее": "at_least", "по меньшей мере": "at_least", "примерно": "about",
    "больш за": "more_than", "больш як": "more_than", "звыш": "more_than", "каля": "about",
    "амаль": "nearly", "не менш за": "at_least", "прыкладна": "about",
}
_VAGUE = {
    "dozens": "dozens", "scores": "dozens", "hundreds": "hundreds", "several": "several",
    "a handful": "several", "a few": "several", "десятки": "dozens", "десятков": "dozens",
    "сотни": "hundreds", "сотен": "hundreds", "несколько": "several", "дзясяткі": "dozens",
    "дзясяткаў": "dozens", "сотні": "hundreds", "соцень": "hundreds", "некалькі": "several",
}
_HEAD_EN = (
    r"political prisoners?|prisoners? of conscience|prisoners?|people|persons?|individuals?|"
    r"detainees?|inmates?|captives?|convicts?|dissidents?|protesters?|activists?|journalists?|"
    r"foreigners?|foreign (?:nationals?|citizens?)|nationals?|citizens?|men|women|others|"
    r"opposition (?:figures?|members?|activists?|politicians?)|(?-i:[A-Z][a-z]+(?:ans?|ians?|ers?|s))"
)
_HEAD_CY = (
    r"человека?|политзаключенн\w*|политических заключенн\w*|заключенн\w*|узник\w*|граждан\w*|"
    r"иностран\w*|журналист\w*|активист\w*|чалавек|палітвяз\w*|палітычных вязн\w*|вязн\w*|"
    r"грамадзян\w*|замежн\w*|журналіст\w*|актывіст\w*|асоб\w*"
)
_SUBSET_HEAD = re.compile(
    r"foreigners?|foreign|nationals?|citizens?|others|иностран|граждан|замежн|грамадзян", re.I
)
_MODIFIER = r"(?:[a-z][a-z'-]*|[A-Z][a-z]+|[а-яіў][а-яіў'-]*)"
_QUAL = "|".join(sorted(map(re.escape, _QUALIFIERS), key=len, reverse=True))
_VAGUE_RE = "|".join(sorted(map(re.escape, _VAGUE), key=len, reverse=True))
_NUMBER = (
    rf"\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d{{1,3}}(?:[\u202f\u00a0 ]\d{{3}})+(?![\d,.])|\d+(?![\d.,]\d)"
    rf"|(?:a |an )?(?:{number_word_pattern()})(?:(?:\s+|-|\s+and\s+)(?:{number_word_pattern()}))*"
)
COUNT_RE = re.compile(
    rf"(?<![\w-])(?:(?P<qual>{_QUAL})\s+)?"
    rf"(?:(?P<vague>{_VAGUE_RE})(?:\s+of)?|(?P<num>{_NUMBER}))(?![\w-])"
    rf"(?P<tail>(?:\s+(?:more|other|jailed|imprisoned|detained|political|freed|released|"
    rf"pardoned|{_MODIFIER})){{0,3}}?\s+(?P<head>{_HEAD_EN}|{_HEAD_CY})\b"
    rf"|\s+(?:were|was|have been|had been|are|were also|have now been|of them|of whom|who were|"
    rf"who was|freed|released|pardoned|были|былі|из них|з іх)\b"
    rf"|(?=\s+(?:\w+\s+){{0,2}}(?:to|into|в|ў|у)\s+[A-ZА-ЯІЎ]))?",
    re.I,
)
_SUBSET_BEFORE = re.compile(
    r"(?:including|among them|among whom|of whom|of them|among those|among the|amongst|"
    r"in addition|as well as|plus|включая|в том числе|среди них|среди которых|из них|"
    r"у тым ліку|сярод іх|сярод якіх|з іх|сярод)\W*(?:\w+\W+){0,3}$",
    re.I,
)
_SUBSET_AFTER = re.compile(r"^\s*(?:of them|of whom|among them|из них|з іх)\b", re.I)
_DESTINATION_AFTER = re.compile(
    r"^[^.;]{0,60}?\b(?:to|into|in|for|в|во|у|ў)\s+(?:the\s+)?(?:neighbo(?:u)?ring\s+)?"
    r"(?P<place>[A-ZА-ЯІЎ][\w'’-]+(?:\s+[A-Z][\w-]+)?)", re.U,
)
_MOTION = re.compile(
    r"sent|taken|deported|expelled|transferred|handed over|driven|bused|bussed|flown|brought|"
    r"escorted|moved|went|left for|arrived|crossed|released to|freed to|вывез|депортир|передан|"
    r"передал|отправл|доставл|выслан|выдворен|прибыл|уехал|дэпартав|перададзен|адпраўлен|"
    r"апынул|прыбыл|вывезен|^\s*(?:to|в|ў|у)\s",
    re.I,
)
_HELD = re.compile(
    r"(?:still|remain|remaining|behind bars|holds|holding|held|jails|jailed|in prison|"
    r"in custody|остаются|остается|за решеткой|застаюцца|за кратамі|утрымлівае|удерживает)",
    re.I,
)
_CUMULATIVE = re.compile(
    r"(?:since|so far|in total|altogether|to date|over the past|in recent (?:months|weeks|years)|"
    r"this year|in all|cumulative|overall|с июля|с начала|з ліпеня|з пачатку|всего|усяго)",
    re.I,
)


@dataclass(slots=True, frozen=True)
class CountMention:
    start: int
    end: int
    text: str
    value: int | None
    qualifier: str | None
    role: str  # total | subset | held | cumulative
    destination: str | None = None


def _fold(text: str) -> str:
    # Same length, so offsets stay valid.
    return text.replace("ё", "е").replace("Ё", "Е")


def find_counts(text: str, start: int, end: int, releasing: str | None = None) -> list[CountMention]:
    """Counts of people between start and end (a sentence), each with its role."""
    folded = _fold(text)
    found: list[CountMention] = []
    for m in COUNT_RE.finditer(folded, start, end):
        if m.group("vague") is None and m.group("num") is None:
            continue
        head = m.group("head")
        tail = m.group("tail")
        if tail is None or (head and not _is_person_head(head, m.group(0))):
            # A bare number counts only right after a release verb ("freed 250 on Thursday").
            if not re.search(r"(?:freed|frees|released|releases|pardoned|pardons|освободил\w*|"
                             r"помиловал\w*|вызваліл\w*|памілаваў)\s+$", folded[max(0, m.start() - 20):m.start()], re.I):
                continue
            if re.match(r"\s*(?:years?|months?|days?|hours?|%|percent|per cent)", folded[m.end():]):
                continue
        raw = m.group("num")
        value = parse_number(raw.removeprefix("a ").removeprefix("an ")) if raw else None
        if raw and value is None:
            continue
        if raw and re.fullmatch(r"(?:19|20)\d\d", raw) and head is None:
            continue  # a year, not a count
        qualifier = _QUALIFIERS.get((m.group("qual") or "").lower())
        if m.group("vague"):
            qualifier = _VAGUE[m.group("vague").lower()]
        role, destination = _role(folded, m, start, end, head, releasing)
        if tail == "" and destination is None:
            continue
        text_span = re.sub(r"\s+", " ", folded[m.start():m.end()].strip())
        if head is None:
            text_span = re.sub(r"\s+(?:were|was|have been|had been|are|were also|have now been|"
                               r"of them|of whom|who were|who was|были|былі|из них|з іх)$", "",
                               text_span, flags=re.I)
        found.append(CountMention(m.start(), m.end(), text[m.start():m.end()] if head else text_span,
                                  value, qualifier, role, destination))
    return found


def _is_person_head(head: str, whole: str) -> bool:
    if head[0].isupper() and head.isascii():
        # A capitalised plural is a people only when it is a demonym ("Lithuanians"), not a
        # country whose name ends in s ("Belarus").
        return demonym_code(head) is not None
    return True


_IRREGULAR_DEMONYMS = {"poles": "PL", "britons": "GB", "brits": "GB", "swiss": "CH", "czechs": "CZ",
                       "slovaks": "SK", "danes": "DK", "swedes": "SE", "finns": "FI", "dutch": "NL"}


def demonym_code(word: str) -> str | None:
    """Country of a plural demonym ("Lithuanians" -> "LT"); None for anything else."""
    key = word.lower()
    if key in _IRREGULAR_DEMONYMS:
        return _IRREGULAR_DEMONYMS[key]
    if not key.endswith("s") or territory_code(word) is not None and territory_code(word[:-1]) is None:
        return None
    return territory_code(word[:-1])


def _role(text: str, m: re.Match[str], start: int, end: int, head: str | None,
          releasing: str | None) -> tuple[str, str | None]:
    clause_start = max(start, text.rfind(";", start, m.start()) + 1, _last_clause_break(text, start, m.start()))
    before = text[clause_start:m.start()]
    after = text[m.end():end]
    destination = None
    motion = re.match(r"^[^.;]{0,50}?(?:" + _MOTION.pattern + r")", after, re.I)
    if motion or re.match(r"^\s*(?:to|в|ў|у)\s", after):
        place = _DESTINATION_AFTER.match(after)
        if place:
            code = territory_code(place.group("place"))
            if code and code != releasing:
                destination = code
    if re.search(r"(?:among|of|from|amongst)\s+(?:the|those)\s+$|среди\s+$|сярод\s+$", before, re.I):
        return "total", destination
    if _SUBSET_BEFORE.search(before) or _SUBSET_AFTER.match(after):
        return "subset", destination
    if head and _SUBSET_HEAD.match(head):
        return "subset", destination
    if head and head[0].isupper() and demonym_code(head) not in {None, releasing}:
        return "subset", destination  # "six Lithuanians"
    if destination:
        return "subset", destination
    if releasing and re.match(r"^[^.;]{0,40}?\b(?:inside|within|in|at home in)\s+(?:the\s+)?(?P<p>[A-Z]\w+)", after):
        place = re.match(r"^[^.;]{0,40}?\b(?:inside|within|in|at home in)\s+(?:the\s+)?(?P<p>[A-Z]\w+)", after)
        if place and territory_code(place.group("p")) == releasing and re.search(r"(?:remain|stay|inside|within)", after[:40]):
            return "subset", None
    window = before + text[m.start():m.end()] + after[:60]
    if _HELD.search(before[-40:]) or re.match(r"^\s*(?:who |that )?(?:remain|are still|still|остаются|застаюцца)", after, re.I):
        return "held", None
    if _CUMULATIVE.search(window):
        return "cumulative", None
    return "total", None


def _last_clause_break(text: str, start: int, position: int) -> int:
    """Start of the clause holding `position`: after the last ", while", ", but", " and " etc."""
    best = start
    for match in re.finditer(r",\s+(?:while|but|whereas|and|although|though|after|а|но|але|і)\s+|\s+but\s+|—|–",
                             text[start:position]):
        best = start + match.end()
    return best
