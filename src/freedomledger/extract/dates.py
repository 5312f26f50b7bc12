"""Date expressions in news text, resolved against the publication date.

dateparser supplies the vocabulary: month and weekday names and the "yesterday / last week"
phrases of each language, from its locale tables. Finding the expressions (with exact spans)
and resolving them is explicit code here, because the rules that matter for news are not what
a general parser assumes: a bare weekday ("on Thursday") in a report means the most recent such
day on or before publication; a day and month without a year ("on December 13") means the
latest such date not after publication; and the precision of what was said is kept.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from dateparser.languages.loader import default_loader

LANGUAGES = ("en", "ru", "be", "uk")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Forms dateparser's tables lack: the locative after "в/у" ("в декабре", "у снежні") and the
# accusative weekday after "в/у" in Belarusian ("у пятніцу").
_EXTRA_MONTHS = {
    "ru": "январе феврале марте апреле мае июне июле августе сентябре октябре ноябре декабре",
    "be": "студзені лютым сакавіку красавіку траўні чэрвені ліпені жніўні верасні кастрычніку "
          "лістападзе снежні",
    "uk": "січні лютому березні квітні травні червні липні серпні вересні жовтні листопаді грудні",
}
_EXTRA_WEEKDAYS = {
    "ru": "понедельник вторник среду четверг пятницу субботу воскресенье",
    "be": "панядзелак аўторак сераду чацвер пятніцу суботу нядзелю",
}


def _vocabulary() -> tuple[dict[str, int], dict[str, int], dict[str, list[str]]]:
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    relative: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        info = default_loader.get_locale(lang).info
        for number, key in enumerate(_MONTH_KEYS, start=1):
            for form in info.get(key, []):
                # Short forms ("мар", "сне") collide with ordinary words outside English.
                if lang == "en" and len(form) >= 3 or len(form) >= 4 or form in {"май", "мая"}:
                    months[form.lower()] = number
        for number, key in enumerate(_WEEKDAY_KEYS):
            for form in info.get(key, []):
                if len(form) >= 5:
                    weekdays[form.lower()] = number
        for key, phrases in info.get("relative-type", {}).items():
            relative.setdefault(key, []).extend(p for p in phrases if len(p) > 4)
        for words in (_EXTRA_MONTHS.get(lang, ""),):
            for number, form in enumerate(words.split(), start=1):
                months[form] = number
        for number, form in enumerate(_EXTRA_WEEKDAYS.get(lang, "").split()):
            weekdays[form] = number
    return months, weekdays, relative


MONTHS, WEEKDAYS, _RELATIVE = _vocabulary()


def _alternation(words: list[str], capitalise_latin: bool) -> str:
    forms = []
    for word in sorted(set(words), key=len, reverse=True):
        if capitalise_latin and word.isascii():
            forms.append(re.escape(word.capitalize()))
        else:
            forms.append(re.escape(word))
    return "|".join(forms)


_MON = _alternation(list(MONTHS), capitalise_latin=True)
_WD = _alternation(list(WEEKDAYS), capitalise_latin=True)
_YEAR = r"(?:19|20)\d\d"
_YEAR_WORD = r"(?:\s*(?:года|году|г\.|гады|годзе|року))?"
_REL_PHRASES = {  # dateparser key -> (days back, precision)
    "0 day ago": (0, "day"), "1 day ago": (1, "day"), "1 week ago": (7, "week"),
    "1 month ago": (0, "month-1"), "1 year ago": (0, "year-1"),
}
_REL_WORDS = sorted({p for key in _REL_PHRASES for p in _RELATIVE.get(key, [])}, key=len, reverse=True)
_REL_EXTRA = (r"earlier this (?:week|month|year)|this (?:week|month|year)|last night|overnight|"
              r"the day before yesterday|позавчера|заўчора|на этой неделе|на гэтым тыдні|"
              r"в этом (?:месяце|году)|у гэтым (?:месяцы|годзе)|летась")
_AGO = (r"(?P<agon>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
        r"(?P<agou>days?|weeks?|months?|years?)\s+ago")

DATE_RE = re.compile(
    rf"(?P<iso>\b(?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])\b)"
    rf"|(?P<num>\b(?P<nd>\d{{1,2}})[./](?P<nm>\d{{1,2}})[./](?P<ny>{_YEAR})\b)"
    rf"|(?P<dm>\b(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<m1>{_MON})\b\.?"
    rf"(?:,?\s+(?P<y1>{_YEAR})\b{_YEAR_WORD})?)"
    rf"|(?P<md>\b(?P<m2>{_MON})\.?\s+(?P<d2>\d{{1,2}})(?!\d)(?:st|nd|rd|th)?\b"
    rf"(?:,?\s+(?P<y2>{_YEAR})\b)?)"
    rf"|(?P<my>\b(?:(?P<p3>(?i:in|since|by|during|until|from|early|mid|late|end of|beginning of|"
    rf"в|у|ў|с|з|до|к))[\s-]+)(?:(?:early|mid|late)[\s-]+)?(?P<m3>{_MON})\b(?:\s+(?P<y3>{_YEAR})\b{_YEAR_WORD})?"
    rf"|\b(?P<m4>{_MON})\s+(?P<y4>{_YEAR})\b{_YEAR_WORD}"
    rf"|\b(?P<lastm>(?i:last|this))\s+(?P<m5>{_MON})\b)"
    rf"|(?P<yr>\b(?P<p5>(?i:in|since|by|during|until|of|early|late|в|у|ў|с|з))\s+(?P<y5>{_YEAR})\b"
    rf"(?!\s*[-–]\d){_YEAR_WORD})"
    rf"|(?P<wk>\b(?:(?P<wmod>(?i:last|this|next|on|late on|early on|late|early|в|во|у|ў|"
    rf"в прошлый|в прошлую|у мінулы|у мінулую))\s+)?(?P<wd>{_WD})(?:'s|’s)?\b"
    rf"(?:\s+(?:morning|afternoon|evening|night))?)"
    rf"|(?P<rel>\b(?:{_alternation(_REL_WORDS, False)}|{_REL_EXTRA})\b)"
    rf"|(?P<ago>\b{_AGO}\b)"
    rf"|(?P<earlier>\b(?:(?P<en>a|one|two|three)\s+(?P<eu>days?|weeks?)\s+(?:earlier|before)|"
    rf"the\s+(?:day|night|evening)\s+before|the\s+previous\s+day|накануне|напярэдадні)\b)",
    0,
)
_REL_RE_CI = re.compile(rf"\b(?:{_alternation(_REL_WORDS, False)}|{_REL_EXTRA})\b|\b{_AGO}\b", re.I)
_FUTURE_CUE = re.compile(r"\b(?:will|would|is due|are due|is expected|are expected|scheduled|"
                         r"plans? to|next)\b[^.]{0,40}$", re.I)
_SMALL = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10}


@dataclass(slots=True, frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    first: dt.date | None  # first day the expression can mean
    last: dt.date | None  # last day it can mean
    precision: str | None  # day | month | year | range
    basis: str
    relative: bool

    def iso(self) -> str | None:
        """Text in the ledger's FuzzyDate notation: 2026-03-19, 2026-03, 2026, or a..b."""
        if self.first is None or self.precision is None:
            return None
        if self.precision == "day":
            return self.first.isoformat()
        if self.precision == "month":
            return self.first.isoformat()[:7]
        if self.precision == "year":
            return self.first.isoformat()[:4]
        return f"{self.first.isoformat()}..{self.last.isoformat() if self.last else ''}"

    def contains(self, day: dt.date) -> bool:
        return self.first is not None and self.last is not None and self.first <= day <= self.last


def weekday_on_or_before(weekday: int, published: dt.date) -> dt.date:
    """The given weekday (Monday=0) in the seven days ending on the publication day."""
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7)


def weekday_before(weekday: int, published: dt.date) -> dt.date:
    """The given weekday strictly before publication ("last Thursday")."""
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7 or 7)


def weekday_after(weekday: int, published: dt.date) -> dt.date:
    """The given weekday strictly after publication ("next Monday", "will meet on Monday")."""
    return published + dt.timedelta(days=(weekday - published.weekday()) % 7 or 7)


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _latest_not_after(month: int, day: int, published: dt.date) -> dt.date | None:
    """A day and month without a year: the latest such date up to two days after publication
    (a release reported from another time zone can carry the next day's date)."""
    for year in (published.year + 1, published.year, published.year - 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= published + dt.timedelta(days=2):
            return candidate
    return None


def _mention(m: re.Match[str], first: dt.date | None, last: dt.date | None, precision: str | None,
             basis: str, relative: bool) -> DateMention:
    return DateMention(m.start(), m.end(), m.group(0), first, last, precision, basis, relative)


def _resolve(m: re.Match[str], text: str, published: dt.date | None) -> DateMention | None:
    said = re.sub(r"\s+", " ", m.group(0))
    pub = published.isoformat() if published else None
    if m.group("iso") or m.group("num"):
        y, mo, d = ((m.group("iy"), m.group("im"), m.group("id")) if m.group("iso")
                    else (m.group("ny"), m.group("nm"), m.group("nd")))
        try:
            day = dt.date(int(y), int(mo), int(d))  # numeric dates in this domain are day.month
        except ValueError:
            return None
        return _mention(m, day, day, "day", f"explicit date '{said}'", False)
    if m.group("dm") or m.group("md"):
        month = MONTHS[(m.group("m1") or m.group("m2")).lower()]
        day_num = int(m.group("d1") or m.group("d2"))
        year = m.group("y1") or m.group("y2")
        if not 1 <= day_num <= 31:
            return None
        if year:
            try:
                day = dt.date(int(year), month, day_num)
            except ValueError:
                return None
            return _mention(m, day, day, "day", f"explicit date '{said}'", False)
        if published is None:
            return _mention(m, None, None, None, f"'{said}' has no year and no publication date", True)
        guessed = _latest_not_after(month, day_num, published)
        if guessed is None:
            return None
        day = guessed
        return _mention(m, day, day, "day", f"'{said}', year from publication {pub}", True)
    if m.group("my"):
        month = MONTHS[(m.group("m3") or m.group("m4") or m.group("m5")).lower()]
        if m.group("m5") and published is not None:
            # "last June": the latest June before the publication month.
            year = published.year if month < published.month else published.year - 1
            first, last = _month_range(year, month)
            return _mention(m, first, last, "month", f"'{said}' before {pub}", True)
        year_text = m.group("y3") or m.group("y4")
        if year_text:
            first, last = _month_range(int(year_text), month)
            return _mention(m, first, last, "month", f"explicit month '{said}'", False)
        if published is None:
            return _mention(m, None, None, None, f"'{said}' has no year and no publication date", True)
        year = published.year if month <= published.month else published.year - 1
        first, last = _month_range(year, month)
        return _mention(m, first, last, "month", f"'{said}', year from publication {pub}", True)
    if m.group("yr"):
        year = int(m.group("y5"))
        return _mention(m, dt.date(year, 1, 1), dt.date(year, 12, 31), "year",
                        f"explicit year '{said}'", False)
    if published is None:
        return _mention(m, None, None, None, f"'{said}' is relative and there is no publication date", True)
    if m.group("earlier"):
        # Counted back from the publication day here; find_dates re-anchors it on a date
        # given just before in the same sentence ("said on Friday that … a day earlier").
        n = _SMALL.get((m.group("en") or "one").lower(), 1) * (7 if (m.group("eu") or "").startswith("week") else 1)
        day = published - dt.timedelta(days=n)
        return _mention(m, day, day, "day" if n < 7 else "range", f"'{said}' before {pub}", True)
    if m.group("wk"):
        weekday = WEEKDAYS[m.group("wd").lower()]
        modifier = (m.group("wmod") or "").lower()
        before = text[max(0, m.start() - 60):m.start()]
        if modifier == "next" or (modifier in {"", "on", "this"} and _FUTURE_CUE.search(before)):
            day = weekday_after(weekday, published)
            return _mention(m, day, day, "day", f"'{said}' after {pub}", True)
        if modifier in {"last", "в прошлый", "в прошлую", "у мінулы", "у мінулую"}:
            day = weekday_before(weekday, published)
        else:
            day = weekday_on_or_before(weekday, published)
        where = "on publication day" if day == published else "before"
        return _mention(m, day, day, "day", f"'{said}' {where} {pub}", True)
    if m.group("ago"):
        count = _SMALL.get(m.group("agon").lower()) or int(m.group("agon"))
        unit = m.group("agou").lower().rstrip("s")
        if unit == "day":
            day = published - dt.timedelta(days=count)
            return _mention(m, day, day, "day", f"'{said}' before {pub}", True)
        if unit == "week":
            day = published - dt.timedelta(days=7 * count)
            first, last = day - dt.timedelta(days=3), day + dt.timedelta(days=3)
            return _mention(m, first, last, "range", f"'{said}' before {pub}", True)
        if unit == "month":
            y, mo = divmod(published.year * 12 + published.month - 1 - count, 12)
            first, last = _month_range(y, mo + 1)
            return _mention(m, first, last, "month", f"'{said}' before {pub}", True)
        first, last = dt.date(published.year - count, 1, 1), dt.date(published.year - count, 12, 31)
        return _mention(m, first, last, "year", f"'{said}' before {pub}", True)
    return _resolve_relative(m, said, published)


def _resolve_relative(m: re.Match[str], said: str, published: dt.date) -> DateMention | None:
    key = said.lower()
    pub = published.isoformat()
    monday = published - dt.timedelta(days=published.weekday())
    if "before yesterday" in key or key in {"позавчера", "заўчора"}:
        day = published - dt.timedelta(days=2)
        return _mention(m, day, day, "day", f"'{said}' before {pub}", True)
    if key in {"last night", "overnight"}:
        day = published - dt.timedelta(days=1)
        return _mention(m, day, day, "day", f"'{said}' before {pub}", True)
    if "this week" in key or key in {"на этой неделе", "на гэтым тыдні"}:
        return _mention(m, monday, published, "range", f"'{said}' in the week of {pub}", True)
    if "this month" in key or "этом месяце" in key or "гэтым месяцы" in key:
        return _mention(m, published.replace(day=1), published, "month", f"'{said}' in the month of {pub}", True)
    if "this year" in key or "этом году" in key or "гэтым годзе" in key:
        return _mention(m, dt.date(published.year, 1, 1), published, "year", f"'{said}' in the year of {pub}", True)
    if key == "летась":
        y = published.year - 1
        return _mention(m, dt.date(y, 1, 1), dt.date(y, 12, 31), "year", f"'{said}' before {pub}", True)
    for rel_key, (days, precision) in _REL_PHRASES.items():
        if key in (p.lower() for p in _RELATIVE.get(rel_key, [])):
            if precision == "day":
                day = published - dt.timedelta(days=days)
                where = "on publication day" if days == 0 else "before"
                return _mention(m, day, day, "day", f"'{said}' {where} {pub}", True)
            if precision == "week":
                first = monday - dt.timedelta(days=7)
                return _mention(m, first, first + dt.timedelta(days=6), "range",
                                f"'{said}' before {pub}", True)
            if precision == "month-1":
                y, mo = divmod(published.year * 12 + published.month - 2, 12)
                first, last = _month_range(y, mo + 1)
                return _mention(m, first, last, "month", f"'{said}' before {pub}", True)
            y = published.year - 1
            return _mention(m, dt.date(y, 1, 1), dt.date(y, 12, 31), "year", f"'{said}' before {pub}", True)
    return None


# Words at least one of which every date expression contains. Scanning only windows around
# them keeps the long alternation of month names (four languages) off most of the text.
_ANCHOR_WORDS = frozenset(
    list(MONTHS) + list(WEEKDAYS) + [w for p in _REL_WORDS for w in p.lower().split()][:0]
    + """yesterday today tonight overnight week month year ago earlier before previous night
    вчера сегодня позавчера неделе месяце году учора ўчора сёння заўчора тыдні месяцы годзе летась
    накануне напярэдадні торік""".split()
)
# Anchor words are looked up with str.find on the lower-cased text (C speed); the long
# date expression (month names of four languages) then only runs in windows around them.
_ANCHOR_LIST = tuple(sorted({w for w in _ANCHOR_WORDS if len(w) >= 3}))
_DIGITS = re.compile(r"\d+")


def _windows(text: str) -> list[tuple[int, int]]:
    low = text.lower()
    if len(low) != len(text):  # a rare character whose lower case is longer: scan everything
        return [(0, len(text))]
    hits = [m.start() for m in _DIGITS.finditer(text)]
    for word in _ANCHOR_LIST:
        at = low.find(word)
        while at >= 0:
            hits.append(at)
            at = low.find(word, at + 1)
    hits.sort()
    spans: list[tuple[int, int]] = []
    for hit in hits:
        start, end = max(0, hit - 40), min(len(text), hit + 50)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    widened = []
    for start, end in spans:  # never cut a word in half
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        widened.append((start, end))
    return widened


def find_dates(text: str, published: dt.date | None) -> list[DateMention]:
    """Every date expression in the text, in order, resolved where the publication date allows."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    windows = _windows(text)
    for w_start, w_end in windows:
        for m in DATE_RE.finditer(text, w_start, w_end):
            if any(s <= m.start() < e for s, e in taken):
                continue
            mention = _resolve(m, text, published)
            if mention is not None:
                found.append(mention)
                taken.append((m.start(), m.end()))
    # Relative phrases are matched case-insensitively ("Yesterday, ..." at a sentence start).
    for m in (m for w_start, w_end in windows for m in _REL_RE_CI.finditer(text, w_start, w_end)):
        if any(s <= m.start() < e for s, e in taken):
            continue
        if m.group(0)[0].isupper():
            inner = DATE_RE.fullmatch(m.group(0).lower())
            if inner is None or published is None:
                continue
            mention = _resolve(inner, m.group(0).lower(), published)
            if mention is not None:
                found.append(DateMention(m.start(), m.end(), m.group(0), mention.first,
                                         mention.last, mention.precision,
                                         mention.basis.replace(m.group(0).lower(), m.group(0)),
                                         True))
    found.sort(key=lambda d: d.start)
    for number, mention in enumerate(found):
        if not re.match(r"(?i:a|one|two|three|the|накануне|напярэдадні)\b", mention.text) or \
                not re.search(r"(?i:earlier|before|previous|накануне|напярэдадні)", mention.text):
            continue
        anchor = next((d for d in reversed(found[:number]) if d.precision == "day" and d.first
                       and mention.start - d.end < 150 and not re.search(r"[.!?]\s", text[d.end:mention.start])), None)
        if anchor is not None and anchor.first is not None and mention.first is not None and published is not None:
            shift = published - mention.first
            day = anchor.first - shift
            found[number] = DateMention(mention.start, mention.end, mention.text, day, day, mention.precision,
                                        f"'{re.sub(chr(92) + 's+', ' ', mention.text)}' before {anchor.first.isoformat()} ('{anchor.text}')", True)
    return found
