"""The diplomacy around a release: who mediated, what was given in return, who reported it.

Mediators are found from how reports credit them: an envoy's title ("U.S. envoy John Coale"),
"talks with the United States", "U.S.-brokered", thanks "for their pivotal role". A head of
state credited this way stands for the state. Concessions are sanctions lifted or eased (or
funds unfrozen, prisoners swapped) in sentences tied to the release ("in return", "in
exchange", or in the same sentence); their targets are the noun phrases the sanctions were on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from freedomledger.extract.lexicon import ORGANISATIONS, ORG_INTRO, canonical_org, territory_code, territory_name
from freedomledger.extract.people import PersonIndex

_PLACE = r"(?:U\.S\.|U\.K\.|\bUS|\bUK|\bEU|\b[A-ZА-ЯІЎ][\w'’.-]{0,40}(?:\s+[A-Z][\w-]{0,40}){0,2})"
_STATE_PATTERNS = [
    rf"\b(?:negotiations|talks|deal|agreement|contacts|dialogue|consultations)\s+with\s+(?:the\s+)?(?P<s>{_PLACE})",
    rf"(?P<s>{_PLACE})[-‐‑](?:brokered|mediated|backed|led|negotiated|facilitated)\b",
    rf"\b(?:brokered|mediated|negotiated|facilitated|arranged|secured)\s+(?:\w+\s+)?by\s+(?:the\s+)?(?P<s>{_PLACE})",
    rf"\b(?:with\s+the\s+(?:help|mediation|assistance|involvement|participation|support)\s+of|thanks\s+to|"
    rf"due\s+to|through\s+the\s+mediation\s+of|request\s+of|mediation\s+by)\s+(?:the\s+)?(?P<s>{_PLACE})",
    rf"\b(?:talks|negotiations|meeting|meetings)\s+with\s+(?:a|the)\s+(?:[\w-]+\s+)?delegation\s+(?:of|from)\s+"
    rf"(?:the\s+)?(?P<s>{_PLACE})",
    rf"(?P<s>{_PLACE})\s+delegation\b",
    rf"(?P<s>{_PLACE})(?:'s|’s)?\s+(?:efforts|mediation|diplomacy|involvement|good\s+offices)\b",
    rf"(?P<s>{_PLACE})(?:'s|’s)?\s+(?:pivotal|key|crucial|important|instrumental|vital|central|decisive)\s+role",
    rf"\b(?:thank(?:s|ed|ing)?|grateful\s+to|gratitude\s+to|praised|credited|hailed)\s+(?:our\s+|the\s+|its\s+)?"
    rf"(?P<s>{_PLACE})(?:\s+(?:partners|government|authorities|colleagues|friends|side|leadership))?"
    rf"(?:\s+and\s+(?:to\s+)?(?:the\s+)?{_PLACE})?\s+for\b",
    rf"\b(?:thank(?:s|ed|ing)?|grateful\s+to|gratitude\s+to)\s+(?:the\s+)?{_PLACE}\s+and\s+(?:to\s+)?(?:the\s+)?"
    rf"(?P<s>{_PLACE})\s+for\b",
    r"(?:при\s+посредничестве|пры\s+пасрэдніцтве|благодаря\s+(?:усилиям\s+)?|дзякуючы\s+(?:намаганням\s+)?|"
    r"переговор\w*\s+с|перамоў\w*\s+з)\s+(?P<s>[А-ЯІЎA-Z][\w-]+)",
]
_STATE_RE = [re.compile(p) for p in _STATE_PATTERNS]
_MEDIATION_HINT = re.compile(
    r"talks|negotiat|deal|agreement|contacts|dialogue|consultation|broker|mediat|facilitat|arranged|"
    r"secured|help|assistance|thank|grateful|gratitude|praised|credited|hailed|due\s+to|efforts|diplomacy|"
    r"involvement|offices|role|request|delegation|посредничеств|пасрэдніцтв|благодаря|дзякуючы|переговор|перамоў",
    re.I,
)
_PERSON_CREDIT = re.compile(
    r"\b(?:brokered|mediated|negotiated|secured|arranged|facilitated)\s+(?:\w+\s+)?by\s*$"
    r"|\b(?:thanks\s+to|with\s+the\s+help\s+of|through\s+the\s+mediation\s+of)\s+(?:the\s+efforts\s+of\s+)?$"
    r"|\bdelegation\b[^.;]{0,60}\bled\s+by\s+$|\bwho\s+(?:negotiated|brokered|mediated)\b[^.;]{0,40}$"
    r"|\bthank(?:s|ed|ing)?\s+(?:[\w.]+\s+){0,3}$",
    re.I,
)
_PERSON_CREDIT_AFTER = re.compile(
    r"^(?:'s|’s)?,?\s+(?:who\s+)?(?:brokered|negotiated|mediated|secured|arranged)\s+(?:the\s+)?"
    r"(?:release|deal|agreement|freedom)|^(?:'s|’s)\s+(?:mediation|efforts\s+to\s+free)",
    re.I,
)
_REPORT_VERB = (r"(?:said|says|reported|reports|confirmed|confirms|told|stated|announced|wrote|"
                r"published|counted|listed|noted|сообщил\w*|сообщает|заявил\w*|паведамі\w*|"
                r"паведамляе|пишет|піша)")
_ORG_NAME = r"(?:«[^»]{2,60}»|[A-ZА-ЯІЎ][\w/.-]*(?:\s+(?:of\s+|for\s+|the\s+)?[A-ZА-ЯІЎ][\w/.-]*){0,5})"
_REPORT_HINT = re.compile(r"said|says|report|confirm|told|state|announc|wrote|publish|count|list|not|"
                          r"accord|cit|сообщ|заяв|паведам|пишет|піша|данным|паводле", re.I)
_KNOWN_ORG = "|".join(sorted((re.escape(k) for k in ORGANISATIONS if " " in k or len(k) > 4), key=len, reverse=True))
_REPORTER_RE = [
    re.compile(rf"\baccording\s+to\s+(?:the\s+)?(?:(?:[\w-]+\s+){{0,3}}?(?:{ORG_INTRO})\s+)?(?P<o>{_ORG_NAME})"),
    re.compile(rf"(?:{ORG_INTRO})\s+(?P<o>{_ORG_NAME}),?\s+(?:which\s+[^,]+,\s+)?{_REPORT_VERB}", re.I),
    re.compile(rf"(?P<o>{_ORG_NAME})(?:,\s+(?:a|the|an)\s+[^,]{{3,60}},)?\s+{_REPORT_VERB}\b"),
    re.compile(rf"\b{_REPORT_VERB}\s+(?:the\s+)?(?:(?:{ORG_INTRO})\s+)?(?P<o>{_ORG_NAME})"),
    re.compile(rf"(?:{_REPORT_VERB}|according\s+to|по\s+данным|паводле|citing)\s+(?:the\s+)?«?(?P<o>{_KNOWN_ORG})\b", re.I),
    re.compile(rf"\b(?:по\s+данным|паводле|как\s+сообщает|як\s+паведамляе|citing|cited\s+by)\s+"
               rf"(?:(?:{ORG_INTRO})\s+)?(?P<o>{_ORG_NAME})", re.I),
]
_ORG_WORDS = re.compile(r"\b(?:Centre|Center|Committee|Association|Watch|Group|Agency|News|Service|"
                        r"Union|Council|Foundation|Institute|Network|Coalition|Office|Department)\b")

_CONCESSION_VERB = re.compile(
    r"\b(?P<v>lift(?:ed|s|ing)?|remov(?:e|ed|es|ing)|eas(?:e|ed|es|ing)|relax(?:ed|es|ing)?|"
    r"loosen(?:ed|s|ing)?|suspend(?:ed|s|ing)?|roll(?:ed|s)?\s+back|waiv(?:e|ed|es|ing)|"
    r"unfreez(?:e|es|ing)|unfroze|delist(?:ed|s|ing)?|drop(?:ped|s)?|took|taken|struck|relief|"
    r"сн(?:ял[аио]?|яли|ятие|яти[ея]|имает|имают|ять|имут|имет|яты)|смягч\w*|зня(?:лі|ў|ла|цце|ць|ты|муць)|"
    r"змякч\w*|паслаб\w*)",
    re.I,
)
_EXCHANGE_CUE = re.compile(
    r"\bin\s+return\b|\bin\s+exchange\b|\bas\s+part\s+of\b|\bin\s+response\b|\breward\b|\bquid\s+pro\s+quo\b|"
    r"\bdeal\b|\bafter\s+the\s+release\b|\bfollowing\s+the\s+release\b|\breciprocal\b|\bв\s+обмен\b|"
    r"\bв\s+ответ\b|\bузамен\b|\bу\s+адказ\b|\bв\s+рамках\b|\bу\s+межах\b|\bсделк\w*|\bздзелк\w*",
    re.I,
)
_NOT_CONCESSION = re.compile(r"\b(?:not|n't|never|no|не|ня)\s+(?:\w+\s+){0,3}(?:in\s+exchange|in\s+return|"
                             r"lift|lifted|eas|remov|tied|linked|conditional)", re.I)
_WISH = re.compile(r"\b(?:urg\w+|call\w*\s+for|demand\w*|ask\w*|hop\w+|want\w*|seek\w*|sought|"
                   r"призыв\w*|требу\w*|заклік\w*|патрабу\w*)\b[^.]{0,60}$", re.I)
_TARGET_AFTER = re.compile(
    r"\b(?:sanctions|restrictions|penalties)\s+(?:imposed\s+)?(?:on|from|against|targeting|that\s+target(?:ed)?|with)\s+"
    r"(?P<t>[^.;]+)|\bсанкци\w*\s+(?:с|со|против|в\s+отношении)\s+(?P<tr>[^.;]+)"
    r"|\bсанкцы\w*\s+(?:з|са|супраць|у\s+дачыненні\s+да)\s+(?P<tb>[^.;]+)",
    re.I,
)
_TARGET_BEFORE_FROM = re.compile(
    r"\b(?:remov(?:e|ed|es|ing)|took|taken|struck|delist(?:ed|s|ing)?)\s+(?P<t>[^.;]+?)\s+(?:from|off)\s+"
    r"(?:its|the|a)\s+(?:[\w-]+\s+){0,2}(?:sanctions|SDN|blacklist|list)",
    re.I,
)
_TARGET_STOP = re.compile(
    r"\s+(?:in\s+return|in\s+exchange|as\s+part|after|following|which|who|while|because|since|amid|as(?!\s+well)|"
    r"as\s+a\s+reward|once|when|if|but|under|according|в\s+обмен|в\s+ответ|узамен|у\s+адказ)\b"
    r"|,\s+(?:a|the|an)\s+(?:U\.S\.\s+|US\s+|senior\s+)?(?:official|spokes\w+|source)|,\s+\w+\s+said"
    r"|,\s+(?:заявил\w*|сообщил\w*|сказал\w*|заявіў|заявіла|паведамі\w*|сказаў)\b"
    r"|\s+(?:said|says|announced|reported)\b|\s+(?:were|was|have\s+been|had\s+been|will\s+be|would\s+be)\b",
    re.I,
)
_MORE_TARGETS = re.compile(r"^\s*(?:in\s+return|in\s+exchange)?,?\s*(?:as\s+well\s+as|and\s+also|along\s+with|plus)\s+"
                           r"(?P<m>[^.;]+)", re.I)
_SPLIT_TARGETS = re.compile(r",\s*(?:and\s+|as\s+well\s+as\s+|including\s+|в\s+том\s+числе\s+(?:с\s+)?|у\s+тым\s+ліку\s+(?:з\s+)?)?"
                            r"|\s+and\s+|\s+as\s+well\s+as\s+|\s+plus\s+|\s+including\s+|\s+и\s+|\s+і\s+")
# "Belavia, Belarus's national carrier, from …": an appositive description after a name.
_APPOSITIVE = re.compile(r"(?P<name>\b[A-ZА-ЯІЎ«][\w»-]*(?:\s+[A-ZА-ЯІЎ][\w-]*)*),\s+(?:the|a|an|its|[A-Z][\w]*(?:'s|’s))\s+"
                         r"[a-z][\w\s-]*?(?=,|$)")
_LEADING = re.compile(
    r"^(?:the|a|an|its|their|several|some|certain|all|remaining|other|three|two|four|five|a\s+number\s+of|"
    r"number\s+of|major|key|large|big|leading|top|more|further|additional|most|many|dozens\s+of|of)\s+",
    re.I,
)
GENERIC_TARGETS = frozenset({"companies", "firms", "entities", "businesses", "organisations",
                             "organizations", "enterprises", "individuals", "country", "the country",
                             "government", "economy", "sectors", "belarus", "minsk"})


@dataclass(slots=True)
class Mediator:
    name: str
    kind: str  # person | state | organisation


@dataclass(slots=True)
class Concession:
    by: str | None
    type: str  # sanctions_lifted | sanctions_eased | prisoner_swap | funds_unfrozen | other
    targets: list[str] = field(default_factory=list)


def _state(raw: str, releasing: str | None) -> str | None:
    text = raw.strip().removesuffix("'s").removesuffix("’s").strip(".,")
    if text.lower() in {"u.s", "u.s."}:
        text = "US"
    code = territory_code(text)
    if code is None:
        # "the United States Treasury": try the longest leading part that is a place.
        words = text.split()
        for size in range(len(words) - 1, 0, -1):
            code = territory_code(" ".join(words[:size]))
            if code:
                break
    return code if code and code != releasing else None


def find_mediators(text: str, ranges: list[tuple[int, int]], people: PersonIndex,
                   releasing: str | None) -> list[Mediator]:
    """Mediators credited in the given sentence ranges, persons first, in order of mention."""
    persons: list[str] = []
    states: list[str] = []
    orgs: list[str] = []
    for start, end in ranges:
        for mention in people.in_range(start, end):
            full = mention.full
            title_is_mediator = people.is_mediator_title(full)
            before = text[max(start, mention.start - 60):mention.start]
            after = text[mention.end:min(end, mention.end + 80)]
            credited = bool(_PERSON_CREDIT.search(before) or _PERSON_CREDIT_AFTER.match(after))
            if people.is_head_of_state(full) and credited:
                code = people.nationality.get(full)
                if code and code != releasing and code not in states:
                    states.append(code)
                continue
            if title_is_mediator or credited:
                if full not in persons:
                    persons.append(full)
                code = people.nationality.get(full)
                if code and code != releasing and code not in states:
                    states.append(code)
        sentence = text[start:end]
        if not _MEDIATION_HINT.search(sentence):
            continue
        for pattern in _STATE_RE:
            for m in pattern.finditer(sentence):
                raw = m.group("s")
                org = canonical_org(raw)
                if org and territory_code(raw) is None:
                    if org not in orgs:
                        orgs.append(org)
                    continue
                code = _state(raw, releasing)
                if code and code not in states:
                    states.append(code)
    result = [Mediator(p, "person") for p in persons]
    result += [Mediator(territory_name(c), "state") for c in states]
    result += [Mediator(o, "organisation") for o in orgs]
    return result


def find_reporters(text: str, start: int, end: int, people: PersonIndex) -> list[str]:
    """Organisations the sentence cites as its source ("Viasna reported", "according to HRW")."""
    found: list[str] = []
    sentence = text[start:end]
    if not _REPORT_HINT.search(sentence):
        return found
    person_names = {m.name for m in people.in_range(start, end)} | {m.full for m in people.in_range(start, end)}
    for pattern in _REPORTER_RE:
        for m in pattern.finditer(sentence):
            raw = re.sub(r"\s+", " ", m.group("o")).strip(" «»\"")
            org = canonical_org(raw)
            if org is None:
                # Try the tail ("Belarusian rights group Viasna" matched as one run).
                words = raw.split()
                for size in range(len(words) - 1, 0, -1):
                    org = canonical_org(" ".join(words[-size:]))
                    if org:
                        break
            if org is None:
                introduced = re.search(rf"(?:{ORG_INTRO})\s+$", sentence[:m.start("o")], re.I)
                if raw in person_names or (territory_code(raw) and not _ORG_WORDS.search(raw)) \
                        or not (introduced or _ORG_WORDS.search(raw)):
                    continue
                org = raw
            if org not in found:
                found.append(org)
    return found


def _clean_target(raw: str, releasing: str | None) -> str | None:
    target = re.sub(r"\s+", " ", raw).strip(" ,.;:«»\"")
    previous = None
    while previous != target:
        previous = target
        target = _LEADING.sub("", target)
        first, _, rest = target.partition(" ")
        # "Belarusian banks" -> "banks", but "Belarusian Potash Company" is a name.
        if rest and rest[:1].islower() and territory_code(first.removesuffix("'s").removesuffix("’s")):
            target = rest
    # "potash producer Belaruskali" -> "Belaruskali": a descriptor before a proper name.
    m = re.match(r"^(?:[a-z][\w-]*\s+){1,3}(?P<name>[A-ZА-ЯІЎ«][\w«»-]*(?:\s+[A-ZА-ЯІЎ][\w-]*)*)$", target)
    if m:
        target = m.group("name")
    target = target.strip(" «»\"")
    if not target or len(target) > 60 or not re.search(r"\w", target):
        return None
    return target


def _targets(sentence: str, releasing: str | None) -> list[str]:
    pieces: list[str] = []
    heads: set[str] = set()  # descriptor nouns already attached to a name ("airline" in "airline Belavia")
    for m in re.finditer(r"\b([a-z][\w-]+)\s+(?:[A-ZА-ЯІЎ«][\w»-]+)", sentence):
        heads.add(m.group(1).lower())
    for m in list(_TARGET_AFTER.finditer(sentence)) + list(_TARGET_BEFORE_FROM.finditer(sentence)):
        group = next(g for g in ("t", "tr", "tb") if g in m.groupdict() and m.group(g))
        chunk = m.group(group)
        stop = _TARGET_STOP.search(chunk)
        rest = chunk[stop.start():] if stop else ""
        chunk = chunk[:stop.start()] if stop else chunk
        more = _MORE_TARGETS.match(re.sub(r"^\s*in\s+(?:return|exchange)\b", "", rest, flags=re.I))
        if more:
            chunk += ", " + more.group("m")
        chunk = _APPOSITIVE.sub(lambda a: a.group("name"), chunk)
        for part in _SPLIT_TARGETS.split(chunk):
            target = _clean_target(part, releasing)
            if target and target not in pieces:
                pieces.append(target)
    named = any(p[:1].isupper() for p in pieces)
    return [p for p in pieces if not (named and p.islower() and p.split()[-1] in heads)]


def _type(verb: str, sentence: str) -> str:
    v = verb.lower()
    if re.search(r"prisoner\s+swap|exchange\s+of\s+prisoners|обмен\w*\s+заключ|абмен", sentence, re.I):
        return "prisoner_swap"
    if v.startswith(("unfreez", "unfroze")):
        return "funds_unfrozen"
    if v.startswith(("eas", "relax", "loosen", "suspend", "waiv", "relief", "смягч", "змякч", "паслаб")):
        return "sanctions_eased"
    if re.search(r"general\s+licen[cs]e", sentence, re.I):
        return "sanctions_eased"
    return "sanctions_lifted"


def _by(sentence: str, verb_start: int, people: PersonIndex, offset: int, releasing: str | None) -> str | None:
    before = sentence[:verb_start]
    by = re.search(rf"\bby\s+(?:the\s+)?(?P<s>{_PLACE})", sentence[verb_start:])
    if by and _state(by.group("s"), releasing):
        return _state(by.group("s"), releasing)
    for m in reversed(list(re.finditer(_PLACE, before))):
        code = _state(m.group(0), releasing)
        if code:
            return code
    for mention in reversed(people.in_range(offset, offset + verb_start)):
        code = people.nationality.get(mention.full)
        if code and code != releasing:
            return code
    if re.search(r"\b(?:OFAC|Treasury)\b", sentence):
        return "US"
    return None


def find_concessions(text: str, ranges: list[tuple[int, int]], people: PersonIndex,
                     releasing: str | None, linked: set[int], mediator_states: list[str]) -> list[Concession]:
    """Concessions in the given sentences; `linked` holds the starts of sentences that also
    report the release, where no "in return" is needed."""
    merged: dict[tuple[str | None, str], Concession] = {}
    for start, end in ranges:
        sentence = text[start:end]
        if not re.search(r"\bsanction|санкц|\bSDN\b|\bblacklist|\bunfr", sentence, re.I):
            continue
        if _NOT_CONCESSION.search(sentence):
            continue
        if not (_EXCHANGE_CUE.search(sentence) or start in linked):
            continue
        verbs = [m for m in _CONCESSION_VERB.finditer(sentence)
                 if re.search(r"\bsanction|санкц|\bSDN\b|\bblacklist|\brestriction", sentence[m.start():m.start() + 120], re.I)]
        last_by = None
        for number, verb in enumerate(verbs):
            if _WISH.search(sentence[:verb.start()]):
                continue
            # Each verb owns the text up to the next one: "lift sanctions on A and ease those on B".
            piece = sentence[verb.start():verbs[number + 1].start() if number + 1 < len(verbs) else len(sentence)]
            by = _by(sentence, verb.start(), people, start, releasing) or last_by
            if by is None and len(mediator_states) == 1:
                by = mediator_states[0]
            last_by = by
            kind = _type(verb.group("v"), piece)
            targets = _targets(piece, releasing)
            if not targets and number + 1 < len(verbs):
                continue
            concession = merged.setdefault((by, kind), Concession(by, kind, []))
            for target in targets:
                if target not in concession.targets:
                    concession.targets.append(target)
    result = [c for c in merged.values() if c.targets or c.type != "sanctions_lifted" or len(merged) == 1]
    heads = {m.group(1).lower() for start, end in ranges
             for m in re.finditer(r"\b([a-z][\w-]+)\s+[A-ZА-ЯІЎ«][\w»-]+", text[start:end])}
    for concession in result:
        named = [t for t in concession.targets if t[:1].isupper()]
        if named:
            # "national airline" when "state airline Belavia" is there; "banks" beside "Development Bank".
            singulars = {t.split()[-1].lower() for t in named}
            concession.targets = [t for t in concession.targets if not (
                t.islower() and (t.split()[-1] in heads or t.split()[-1].rstrip("s") in singulars))]
        specific = [t for t in concession.targets if t.lower() not in GENERIC_TARGETS]
        if specific:
            concession.targets = specific
    return result
