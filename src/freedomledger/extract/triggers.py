"""Words that say something happened (freed, pardoned, arrested, sentenced, sanctions lifted)
and whether the sentence reports it as fact.

News keeps fact and wish apart by a few words before the verb: "Belarus freed 52" is an event,
"Tsikhanouskaya urged Minsk to free" and "calls for the release of" are not, nor is "was not
among those freed". Cumulative tallies ("has released dozens in recent months") are history,
not an event. Each trigger carries those judgements; events.py decides what they add up to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from freedomledger.extract.segment import Sentence

_RELEASE = re.compile(
    r"(?P<anaphlist>\b(?:among|amongst)\s+them\s+(?:are|were|was|is)\b|\bсреди\s+них\b|\bсярод\s+іх\b)"
    r"|(?P<list>\b(?:among|amongst)\s+(?:those|them|the\s+(?:[\w-]+\s+){0,3}?)?\s*"
    r"(?P<lv>freed|released|pardoned|set\s+free|let\s+go)\b"
    r"|(?:среди|сярод)\s+(?:освобожденн\w*|помилованн\w*|вызвален\w*|памілаван\w*|отпущенн\w*))"
    r"|(?P<anaph>\b(?:was|were)\s+(?:also\s+)?(?:among\s+them|one\s+of\s+(?:them|the\s+others))\b|\bso\s+(?:was|were)\b)"
    r"|(?P<intr>\b(?:walked|walk|walks|went|go|goes)\s+free\b|\bregained\s+(?:their|his|her)\s+freedom\b"
    r"|\b(?:is|are|was|were)\s+(?:now\s+|finally\s+)?(?:free|at\s+liberty|out\s+of\s+prison)\b(?!\s+(?:to|of|from|speech|press))"
    r"|\bat\s+liberty\b|\bна\s+свободу\s+вышл\w*|\bна\s+волю\s+выйшл\w*|\bна\s+волі\b|\bна\s+свободе\b"
    r"|\bwalked\s+out\s+of\s+(?:prison|jail)\b|\bleft\s+(?:prison|jail|custody|the\s+colony)\b"
    r"|\bвышл[иао]?\s+на\s+свободу|\bвышел\s+на\s+свободу|\bоказал\w*\s+на\s+свободе"
    r"|\bвыйшл[іаі]?\s+на\s+волю|\bвыйшаў\s+на\s+волю|\bапынул\w*\s+на\s+волі)"
    r"|(?P<pass>\b(?:освобожден[аоы]?|освобожденн(?:ые|ых)|помилован[аоы]?|выпущен[аоы]?|"
    r"отпущен[аоы]?|вызвален[аыя]|вызваленыя|вызваленая|памілаван[аыя]|памілаваныя|"
    r"вызвалены)\b)"
    r"|(?P<verb>\b(?:freed|frees|freeing|released|releases|releasing|pardoned|pardons|pardoning|"
    r"amnestied|set\s+free|let\s+go|granted\s+clemency\s+to|"
    r"освободил[аио]?|освободили|помиловал[аи]?|выпустил[аи]?|отпустил[аи]?|вызваліў|"
    r"вызваліла|вызвалілі|памілаваў|памілавала|памілавалі)\b)"
    r"|(?P<noun>\b(?:release|freeing|pardon|pardons|clemency|amnesty|"
    r"освобождени[еяию]|помиловани[еяию]|вызваленн[еяю]|памілаванн[еяю])\b)",
    re.I,
)
_NOT_PRISONERS = re.compile(
    r"^\s+(?:a|an|its|the|his|her|their|new|fresh|updated)?\s*(?:[\w-]+\s+)?(?:statement|report|"
    r"video|list|photos?|footage|document|data|figures|recording|album|film|book|names|"
    r"details|information|findings|results|funds?|money|tranche)\b|^\s+date\b",
    re.I,
)
_BEFORE_NOT_PRISONERS = re.compile(r"\b(?:press|news|media|joint)\s+$", re.I)
_NONFACTUAL = re.compile(
    r"\b(?:call(?:s|ed|ing)?\s+(?:on\s+\S+\s+)?(?:for|to)|urg(?:e|es|ed|ing)|demand(?:s|ed|ing)?|"
    r"appeal(?:s|ed|ing)?\s+(?:for|to)|press(?:es|ed|ing)?\s+(?:for|\S+\s+to)|"
    r"push(?:es|ed|ing)?\s+(?:for|\S+\s+to)|seek(?:s|ing)?|sought|hop(?:e|es|ed|ing)\s+(?:for|to)|"
    r"want(?:s|ed)?|ask(?:s|ed|ing)?\s+(?:for|\S+\s+to)|plead(?:s|ed)?\s+for|campaign(?:s|ed|ing)?\s+for|"
    r"lobb(?:y|ies|ied|ying)\s+for|work(?:s|ing)\s+(?:for|toward|towards|to)|negotiat(?:e|es|ing)|"
    r"to\s+(?:secure|win|obtain|achieve|bring\s+about)|could|would|may|might|should|will|shall|must|can|"
    r"refus(?:e|es|ed|ing)\s+to|"
    r"plans?\s+to|expected\s+to|likely\s+to|prospect\s+of|possible|possibility\s+of|potential|"
    r"awaiting|await(?:s|ed)?|pending|no\s+sign\s+of|conditions?\s+for|ready\s+to|willing\s+to|"
    r"offered\s+to|promised\s+to|pledged\s+to|vowed\s+to|if|unless|whether|"
    r"призвал\w*|призыва\w*|требу\w*|потребова\w*|добива\w*|надеж\w*|надеют\w*|может|могут|"
    r"готов\w*|заклікал\w*|заклікае|патрабу\w*|спадзяе\w*|можа|могуць|гатов\w*)"
    r"\b(?:\W+\w+){0,4}\W*$",
    re.I,
)
_INFINITIVE = re.compile(r"\b(?:to|will|would|could|can|may|might|should|must|did|does|do|"
                         r"cannot|won't|wouldn't)\s+(?:\w+ly\s+)?$", re.I)
_NOUN_NONFACTUAL = re.compile(r"\b(?:further|more|future|possible|potential|new|additional|"
                              r"fresh|any|next|eventual|early|conditional)\s+$", re.I)
_NEGATION = re.compile(r"\b(?:not|n't|never|no|neither|nor|without|не|ня|ні)\b(?:\W+\w+){0,3}\W*$", re.I)
_PASSIVE_AUX = re.compile(
    r"\b(?:was|were|been|being|be|is|are|got|get|gets)\s+"
    r"(?:(?:\w+ly|also|now|all|finally|reportedly|just|since|later|then|quietly)\s+)*$",
    re.I,
)
_PARTICIPLE_HEAD = re.compile(
    r"\b(?:those|people|prisoners|detainees|individuals|activists|others|inmates|ones|"
    r"journalists|dissidents|the\s+\d+|\d+)\s+(?:\w+\s+)?$", re.I,
)
_BACKGROUND = re.compile(
    r"in recent (?:months|weeks|years)|since (?:July|June|August|September|20\d\d|last|the start|"
    r"then|mid)|so far|to date|over the past|series of|string of|wave of|a number of|in total|"
    r"altogether|in all,|previous(?:ly)?|earlier (?:releases?|rounds?)|an earlier|prior releases?|"
    r"dozens of|hundreds of|scores of|at various times|over the years|"
    r"за последн\w+|в последние месяцы|ранее|раньше|у апошнія месяцы|раней|дзясяткі|десятки",
    re.I,
)
_HEADLINE_VERB = re.compile(r"^\s*(?:frees|releases|pardons)\b", re.I)

# Other kinds of event the ledger can use; the same fact tests apply to them.
_OTHER = {
    "envoy_appointed": re.compile(
        r"\b(?:appoint(?:ed|s)|nam(?:ed|es)|nominat(?:ed|es)|tapped|pick(?:ed|s)|chose|chooses|"
        r"designat(?:ed|es))\b[^.;]{0,80}?\b(?:envoy|special representative|ambassador)\b"
        r"|\bназначен\w*\s+(?:\w+\s+)?(?:спецпосланник|посланник|представител)\w*"
        r"|\bназначил\w*[^.]{0,60}(?:спецпосланник|посланник|представител)\w*"
        r"|\bпрызначан\w*\s+(?:\w+\s+)?(?:спецпасланнік|пасланнік|прадстаўнік)\w*",
        re.I),
    "sanctions_lifted": re.compile(
        r"\b(?:lift(?:ed|s|ing)?|remov(?:e|ed|es|ing)|eas(?:e|ed|es|ing)|relax(?:ed|es|ing)?|"
        r"loosen(?:ed|s|ing)?|suspend(?:ed|s|ing)?|roll(?:ed|s)?\s+back|waiv(?:e|ed|es|ing)|"
        r"unfreez(?:e|es|ing)|unfroze|delist(?:ed|s|ing)?)\b(?:\s+[\w-]+){0,4}?\s+"
        r"(?:sanctions|restrictions|penalties)\b"
        r"|\bsanctions?\s+relief\b|\bdelist(?:ed|s|ing)\b"
        r"|\b(?:remov(?:ed|es|e|ing)|took|taken|struck)\b[^.;]{0,80}?\b(?:from|off)\s+(?:its|the|a)\s+"
        r"(?:[\w-]+\s+){0,2}(?:sanctions|SDN|blacklist)"
        r"|\bsanctions?\s+(?:on|against)\s+[^.;]{0,80}?\b(?:were|was|have been|had been|will be|would be)"
        r"\s+(?:\w+\s+)?(?:lifted|removed|eased|relaxed|suspended|dropped)"
        r"|\bсн(?:ял[аио]?|яли|ятие|яти[ея]|имает|имают|ять)\s+(?:\w+\s+){0,2}санкци"
        r"|\bсмягч\w*\s+(?:\w+\s+){0,2}санкци|\bзня(?:лі|ў|ла|цце|ць|ты)\s+(?:\w+\s+){0,2}санкцы"
        r"|\bзмякч\w*\s+(?:\w+\s+){0,2}санкцы|\bпаслаб\w*\s+(?:\w+\s+){0,2}санкцы",
        re.I),
    "sanctions_imposed": re.compile(
        r"\b(?:impos(?:ed|es|ing)|introduc(?:ed|es|ing)|slapp(?:ed|ing)|levied|expand(?:ed|s|ing)|"
        r"extend(?:ed|s|ing)|adopt(?:ed|s|ing)|unveil(?:ed|s|ing)|announc(?:ed|es|ing))\s+"
        r"(?:[\w-]+\s+){0,3}?sanctions\b|\bsanctioned\b|\bblacklisted\b"
        r"|\badded\s+[^.;]{0,100}?\bto\s+(?:its|the)\s+(?:[\w-]+\s+){0,2}(?:sanctions|blacklist|SDN)"
        r"|\bввел[аио]?\s+(?:\w+\s+)?санкции|\bввели\s+(?:\w+\s+)?санкции|\bрасширил\w*\s+санкц"
        r"|\bувёў\s+(?:\w+\s+)?санкцыі|\bувялі\s+(?:\w+\s+)?санкцыі|\bпашырыл\w*\s+санкцы",
        re.I),
    "sentence": re.compile(
        r"\bsentenced\b|\bjailed\s+for\b|\bhanded\s+(?:a|an)\s+[\w-]+\s+(?:prison\s+)?(?:sentence|term)"
        r"|\bgiven\s+[\w-]+\s+years?\b|\bприговорил\w*|\bприговорен\w*|\bасудзіў\w*|\bасудзілі"
        r"|\bасуджан\w*|\bпрысудзіл\w*|\bпрысудзіў",
        re.I),
    "arrest": re.compile(
        r"\b(?:arrested|detained|rounded\s+up|taken\s+into\s+custody|apprehended|raided)\b"
        r"|\bзадержа(?:н|ли|ла|л|ны|на|но)\b|\bарестова(?:н|ли|ла|л|ны|на)\b"
        r"|\bзатрыма(?:лі|ў|ла|ны|ныя|на|ная)\b|\bарыштава(?:лі|ў|ны|ныя|на|ная)\b",
        re.I),
}


@dataclass(slots=True, frozen=True)
class Trigger:
    kind: str  # release, or one of the _OTHER keys
    start: int
    end: int
    text: str
    sentence: Sentence
    voice: str  # list | intrans | passive | active | noun | participle
    factual: bool
    negated: bool
    background: bool
    in_quote: bool


def _fold(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


_TOKENS = re.compile(r"[\w']+")
_NONFACTUAL_STEMS = tuple("""call urg demand appeal press push seek sought hop want ask plead campaign lobb work
negotiat secur win obtain achiev bring could would may might should will shall must can refus plan expect
likely prospect possib potential await pending sign condition ready willing offer promis pledg vow if unless
whether призв призыв требу потребова добива надеж надеют может могут готов заклік патрабу спадзяе можа
могуць гатов""".split())
_NEGATION_WORDS = frozenset("not n't never no neither nor without не ня ні wasn't weren't isn't aren't didn't".split())
# Substrings one of which each kind's expression needs; checked with `in` on the lower-cased
# sentence before any regex runs, because most sentences of an article have none of them.
_PREFILTER = {
    "release": ("free", "releas", "pardon", "libert", "amnest", "clemenc", "among", "prison", "jail",
                "custody", "so w", "one of", "освобо", "помил", "выпущ", "отпущ", "вызвал", "паміл", "свобод",
                "волю", "волі", "среди", "сярод"),
    "envoy_appointed": ("envoy", "representative", "ambassador", "посланник", "пасланнік",
                        "представител", "прадстаўнік"),
    "sanctions_lifted": ("sanction", "delist", "sdn", "blacklist", "restriction", "санкц"),
    "sanctions_imposed": ("sanction", "blacklist", "sdn", "санкц"),
    "sentence": ("sentenc", "jailed", "handed", "given", "приговор", "асудз", "асуджан", "прысудз"),
    "arrest": ("arrest", "detain", "custody", "rounded", "apprehend", "raided", "задерж", "арест",
               "затрым", "арышт"),
}


def _judge(text: str, sentence: Sentence, start: int, end: int) -> tuple[bool, bool, bool]:
    """(factual, negated, background) for a trigger at start..end in its sentence."""
    # The cues sit just before the verb; a bounded window keeps the scans short.
    before = text[max(sentence.start, start - 120):start]
    # The cue words are looked up in the last few words first; the regexes only run on a hit.
    tail = _TOKENS.findall(before[-90:].lower())[-7:]
    factual = not (any(t.startswith(_NONFACTUAL_STEMS) for t in tail) and _NONFACTUAL.search(before[-90:]))
    factual = factual and not sentence.text.rstrip().endswith("?")
    negated = any(t in _NEGATION_WORDS for t in tail[-4:]) and bool(_NEGATION.search(before[-60:]))
    background = bool(_BACKGROUND.search(sentence.text))
    return factual, negated, background


def find_triggers(text: str, sentences: list[Sentence], quotes: list[tuple[int, int]]) -> list[Trigger]:
    folded = _fold(text)
    triggers: list[Trigger] = []
    for sentence in sentences:
        if sentence.boilerplate:
            continue
        low = folded[sentence.start:sentence.end].lower()
        releases = any(k in low for k in _PREFILTER["release"])
        for m in (_RELEASE.finditer(folded, sentence.start, sentence.end) if releases else ()):
            start, end = m.start(), m.end()
            before = folded[max(sentence.start, start - 160):start]
            after = folded[end:sentence.end]
            if m.group("anaphlist"):
                voice = "anaphor_list"
            elif m.group("list"):
                voice = "list"
            elif m.group("anaph"):
                voice = "anaphor"
            elif m.group("intr"):
                voice = "intrans"
            elif m.group("pass"):
                voice = "passive"
            elif m.group("verb"):
                if _INFINITIVE.search(before) and not re.search(r"\b(?:did|had)\s+$", before):
                    continue  # "to free", "will release": not a report of a release
                if _NOT_PRISONERS.match(after) or _BEFORE_NOT_PRISONERS.search(before):
                    continue
                if _PASSIVE_AUX.search(before):
                    voice = "passive"
                elif _PARTICIPLE_HEAD.search(before) and not re.match(r"\s+(?:\d|the|a|an|[A-Z])", after):
                    voice = "participle"
                else:
                    voice = "active"
            else:
                if _INFINITIVE.search(before):
                    continue
                if _NOT_PRISONERS.match(after) or _BEFORE_NOT_PRISONERS.search(before):
                    continue
                if re.match(r"\s+(?:date|notes?|form|valve)\b", after, re.I):
                    continue
                voice = "noun"
            factual, negated, background = _judge(folded, sentence, start, end)
            if voice == "noun" and _NOUN_NONFACTUAL.search(before):
                factual = False
            if voice == "list" and negated and re.search(r"\bnot\s+$|\bне\s+$", before, re.I):
                # "X were not among the 123 freed": the release happened; X was not in it.
                voice, negated = "list_negated", False
            if voice == "active" and re.fullmatch(r"(?i:releases|pardons)", m.group(0)) and \
                    re.search(r"(?i:\b(?:the|these|those|such|partial|further|recent|more|future|new|any|of|"
                              r"on|for|and|latest|previous|earlier|prisoner|its|their)\s+)$", before):
                voice, factual = "noun", False  # a plural noun: releases in general, not one event
            in_quote = any(qs < start < qe for qs, qe in quotes)
            triggers.append(Trigger("release", start, end, text[start:end], sentence, voice,
                                    factual, negated, background, in_quote))
        for kind, pattern in _OTHER.items():
            if not any(k in low for k in _PREFILTER[kind]):
                continue
            for m in pattern.finditer(folded, sentence.start, sentence.end):
                factual, negated, background = _judge(folded, sentence, m.start(), m.end())
                in_quote = any(qs < m.start() < qe for qs, qe in quotes)
                triggers.append(Trigger(kind, m.start(), m.end(), text[m.start():m.end()], sentence,
                                        "active", factual, negated, background, in_quote))
    triggers.sort(key=lambda t: t.start)
    return triggers


def headline_says_release(title: str | None) -> bool:
    """True when a headline reports a release ("Belarus frees 250 political prisoners")."""
    if not title:
        return False
    sentence = Sentence(0, len(title), title, 0, 0)
    return any(t.kind == "release" and t.factual and not t.negated
               for t in find_triggers(title, [sentence], []))
