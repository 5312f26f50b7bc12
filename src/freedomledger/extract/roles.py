"""Who, in a release sentence, was freed: the grammatical slots news uses for the freed.

"Belarus freed X and Y" (after an active verb), "X and Y were freed" (before a passive one),
"Among those released were X, Y and Z", "the release of X", "X's release", "…, including X".
Everyone else in the sentence (the agent, people after "by/with/after", speakers, officials)
is left out, and so is anyone the article says was not freed or is still held.
"""

from __future__ import annotations

import re

from freedomledger.extract.people import PersonIndex, PersonMention
from freedomledger.extract.triggers import Trigger

_CLAUSE_STOP_AFTER = re.compile(
    r";|:\s|\s[-–—]\s|\s+(?:after|following|as|amid|while|when|in\s+exchange|in\s+return|but|"
    r"said|says|according|because|whom|which|where|thanks\s+to|at\s+the\s+request|"
    r"после|когда|пока|но|сообщ\w+|заяв\w+|пасля|калі|але|паведам\w+)\b"
    r"|,\s+(?:[\w-]+\s+){0,5}(?:said|reported|says|told|wrote|announced|confirmed)\b",
    re.I,
)
_CLAUSE_START_BEFORE = re.compile(
    r";|:\s|\s[-–—]\s|\b(?:said|says|reported|announced|confirmed|told\s+\w+)\s+(?:that\s+)?|\bthat\s+|"
    r"\b(?:after|when|while|as|because|but)\s+|^(?:after|following|during|amid)\s+[^,]+,\s*"
    r"|\bсообщ\w+,?\s+(?:что\s+)?|\bчто\s+|\bшто\s+|\bпаведам\w+,?\s+",
    re.I,
)
_PREPOSITION_BEFORE = re.compile(
    r"\b(?:by|with|to|from|at|for|of|on\s+behalf\s+of|towards|against|met|meets|meeting|visiting|"
    r"visited|thanked|urged|called\s+on|envoy|told|и\s+с|с|со|з|са|ад|от|к|да|муж|мужа|жена|жены|"
    r"супруг\w*|сын\w*|доч\w*|брат\w*|сестр\w*|лидера|лідара|жонка|жонкі)\s+"
    r"(?:the\s+)?(?:[\w.]+\s+){0,2}$",
    re.I,
)
# Names owned by another noun ("husband of opposition leader X", "муж лидера оппозиции X").
_GENITIVE_BEFORE = re.compile(
    r"\b(?:husband|wife|son|daughter|brother|sister|mother|father|widow|lawyer|colleague|friend)s?\s+of\s+"
    r"(?:the\s+)?(?:[\w.]+\s+){0,3}$|\b(?:муж|мужа|жена|жены|супруг\w*|сын\w*|доч\w*|брат\w*|сестр\w*|"
    r"жонка|жонкі|муж|мужа)\s+(?:[\w.]+\s+){0,2}$",
    re.I,
)
_SPEECH_AFTER = re.compile(r"^(?:'s|’s)?,?\s+(?:(?-i:[a-z]+ly)\s+|also\s+)?(?:said|says|told|wrote|added|thanked|urged|called|"
                           r"announced|welcomed|praised|met|meets|visited|reported|noted|"
                           r"сказал\w*|заявил\w*|написал\w*|сказаў|заявіў|напісаў)\b", re.I)
_INCLUDING = re.compile(r"\b(?:including|among\s+them|among\s+whom|such\s+as|notably|among\s+others|"
                        r"together\s+with|along\s+with|alongside|разам\s+з|вместе\s+с|"
                        r"in\s+particular|в\s+том\s+числе|среди\s+них|среди\s+которых|у\s+тым\s+ліку|"
                        r"сярод\s+іх|сярод\s+якіх)\b", re.I)
_LIST_VERB = re.compile(r"[^.;]{0,60}?(?:\b(?:were|was|are|is|include[sd]?|including|былі|были|"
                        r"аказаліся|оказались)\b|[—–:])\s*", re.I)
_NEGATIVE = re.compile(
    r"\b(?:was|were|is|are)\s+not\s+(?:among|freed|released|pardoned|included|on\s+the\s+list|part\s+of)"
    r"|\b(?:wasn't|weren't|isn't|aren't)\s+(?:among|freed|released|pardoned|included)"
    r"|\b(?:remains?|remained|is\s+still|are\s+still|was\s+still|were\s+still|stays?|stayed)\s+"
    r"(?:in\s+(?:prison|jail|custody|detention|a\s+penal\s+colony)|behind\s+bars|jailed|imprisoned|"
    r"detained|held|incarcerated|in\s+a\s+(?:prison|colony))"
    r"|\brefused\s+to\s+(?:leave|go|cross|be\s+deported)|\b(?:was|were)\s+(?:taken|brought|sent|returned)\s+back"
    r"|\breturned\s+to\s+(?:prison|(?:his|her)\s+cell|custody|the\s+colony)"
    r"|\b(?:has|have|had)\s+not\s+been\s+(?:freed|released|pardoned)"
    r"|\b(?:остается|остаются|застаецца|застаюцца)\s+(?:за\s+решеткой|за\s+кратамі|в\s+заключении|"
    r"у\s+зняволенні|в\s+тюрьме|у\s+турме|в\s+колонии|у\s+калоніі)"
    r"|\bне\s+(?:был[аи]?\s+)?(?:освобожден\w*|вызвален\w*|попал\w*|вошл\w*|трапіл\w*|увайшл\w*)",
    re.I,
)
_NEGATIVE_HINT = re.compile(r"not|n't|remain|still|stay|refused|back|returned|except|exclud|apart|other\s+than|"
                            r"оста|заста|не\s|кроме|акрамя", re.I)
_EXCEPT = re.compile(r"\b(?:except|excluding|but\s+not|apart\s+from|other\s+than|кроме|акрамя)\s+", re.I)


def _fold(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def _clause_end(text: str, position: int, limit: int) -> int:
    m = _CLAUSE_STOP_AFTER.search(text, position, limit)
    return m.start() if m else limit


def _clause_start(text: str, start: int, position: int) -> int:
    best = start
    for m in _CLAUSE_START_BEFORE.finditer(text, start, position):
        best = m.end()
    return best


def _usable(text: str, mention: PersonMention, people: PersonIndex, lower: int, *, check_prep: bool = True) -> bool:
    if people.is_official(mention.full) or people.is_mediator_title(mention.full):
        return False
    if _SPEECH_AFTER.match(text[mention.end:mention.end + 40]):
        return False
    before = text[max(lower, mention.start - 40):mention.start]
    if re.search(r"\b(?:said|according\s+to|told|wrote|by)\s+(?:the\s+)?(?:[\w.]+\s+){0,3}$", before, re.I):
        return False
    if check_prep and _PREPOSITION_BEFORE.search(before):
        return False
    if _GENITIVE_BEFORE.search(before):
        return False
    return True


def released_in(text: str, trigger: Trigger, people: PersonIndex) -> list[PersonMention]:
    """Mentions in the trigger's sentence that fill the freed slot of this trigger."""
    folded = _fold(text)
    sentence = trigger.sentence
    chosen: list[PersonMention] = []

    def take(start: int, end: int, *, check_prep: bool = True) -> int:
        added = 0
        for mention in people.in_range(start, end):
            if mention not in chosen and _usable(folded, mention, people, start, check_prep=check_prep):
                chosen.append(mention)
                added += 1
        return added

    after_end = _clause_end(folded, trigger.end, sentence.end)
    if trigger.voice == "list_negated":
        return chosen
    if trigger.voice in {"list", "participle", "anaphor_list"}:
        m = _LIST_VERB.match(folded, trigger.end, sentence.end)
        begin = m.end() if m else trigger.end
        if not take(begin, _clause_end(folded, begin, sentence.end), check_prep=False):
            take(_clause_start(folded, sentence.start, trigger.start), trigger.start)
    elif trigger.voice == "anaphor" and re.match(r"(?i:so)\b", trigger.text):
        take(trigger.end, after_end, check_prep=False)
    elif trigger.voice in {"passive", "intrans", "anaphor"}:
        take(_clause_start(folded, sentence.start, trigger.start), trigger.start)
    elif trigger.voice == "active":
        # "Ales Bialiatski, freed in December, ...": a participle in apposition to a name.
        apposed = re.search(r"([\w'’-]+),\s+(?:(?:who\s+was|recently|finally|only)\s+)?$",
                            folded[sentence.start:trigger.start])
        if apposed:
            for mention in people.in_range(sentence.start, trigger.start):
                if mention.end == sentence.start + apposed.end(1) and mention not in chosen:
                    chosen.append(mention)
        if not chosen:
            take(trigger.end, after_end)
    elif trigger.voice == "noun":
        of = re.match(r"\s+(?:of|from\s+prison\s+of)\s+", folded[trigger.end:sentence.end])
        if of:
            begin = trigger.end + of.end()
            take(begin, _clause_end(folded, begin, sentence.end), check_prep=False)
        possessive = re.search(r"([\w'’-]+)(?:'s|’s)\s+(?:\w+\s+)?$", folded[sentence.start:trigger.start])
        if possessive:
            for mention in people.in_range(sentence.start, trigger.start):
                if mention.end == sentence.start + possessive.end(1):
                    chosen.append(mention)
    cue = _INCLUDING.search(folded, trigger.end, sentence.end)
    if cue:
        take(cue.end(), _clause_end(folded, cue.end(), sentence.end), check_prep=False)
    return chosen


def negative_names(text: str, sentences: list, people: PersonIndex) -> set[str]:
    """Full names the article says were not freed, are still held, or went back to prison."""
    folded = _fold(text)
    names: set[str] = set()
    for sentence in sentences:
        if not _NEGATIVE_HINT.search(folded, sentence.start, sentence.end):
            continue
        for m in _NEGATIVE.finditer(folded, sentence.start, sentence.end):
            begin = _clause_start(folded, sentence.start, m.start())
            for mention in people.in_range(begin, m.start()):
                names.add(mention.full)
        for m in _EXCEPT.finditer(folded, sentence.start, sentence.end):
            for mention in people.in_range(m.end(), _clause_end(folded, m.end(), sentence.end)):
                names.add(mention.full)
    return names
