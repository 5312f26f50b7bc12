"""Quoted statements with their speaker and the channel they were made on.

Attribution in news follows a few shapes: `"…," Coale wrote on X.`, `"…," he added.`,
`"…," said John Coale, the U.S. envoy.`, `Coale said: "…"`, and a fragment quoted inside a
sentence whose subject is the speaker (`Tsikhanouskaya thanked Trump for efforts that were
"saving lives"`). Pronouns point to the last person who was a sentence subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from freedomledger.extract.people import PersonIndex
from freedomledger.extract.segment import Sentence, normalise_space

_SPEECH_WORDS = (r"said|says|wrote|writes|added|adds|told|tells|posted|posts|tweeted|stated|states|"
           r"declared|announced|insisted|noted|stressed|warned|continued|explained|argued|"
           r"thanked|urged|called|described|praised|welcomed|replied|sa(?:y|id)|"
           r"сказал\w*|заявил\w*|написал\w*|добавил\w*|отметил\w*|сообщил\w*|подчеркнул\w*|"
           r"сказаў|сказала|заявіў|заявіла|напісаў|напісала|дадаў|дадала|адзначыў|адзначыла")
_SPEECH = rf"(?i:{_SPEECH_WORDS})"
_PRONOUN = r"(?i:he|she|they|он|она|они|ён|яна|яны)"
_CHANNELS = [
    (re.compile(r"\bon\s+X\b|\bв\s+X\b|\bў\s+X\b|\bsocial\s+(?:media\s+)?(?:platform|network)\s+X\b"), "X"),
    (re.compile(r"\bon\s+Twitter\b|\bв\s+Twitter\b|\bў\s+Twitter\b", re.I), "Twitter"),
    (re.compile(r"\bTelegram\b|\bтелеграм\w*|\bтэлеграм\w*", re.I), "Telegram"),
    (re.compile(r"\bFacebook\b|\bфейсбук\w*", re.I), "Facebook"),
    (re.compile(r"\bInstagram\b", re.I), "Instagram"),
    (re.compile(r"\bYouTube\b", re.I), "YouTube"),
    (re.compile(r"\bin\s+a\s+(?:written\s+|joint\s+)?statement\b|\bв\s+заявлении\b|\bу\s+заяве\b", re.I), "statement"),
    (re.compile(r"\b(?:press|news)\s+conference\b|\bbriefing\b|\bпресс-конференц\w*|\bбрифинг\w*", re.I), "press conference"),
    (re.compile(r"\binterview\b|\bинтервью\b|\bінтэрв'ю\b|\btold\s+(?:Reuters|AP|AFP|the\s+\w+)", re.I), "interview"),
    (re.compile(r"\bon\s+(?:state\s+)?(?:television|TV)\b|\bна\s+телевидении\b", re.I), "TV"),
]
_AFTER = re.compile(
    rf"^[\s,]*(?:(?P<pron>{_PRONOUN})\s+(?:\w+\s+)?(?:{_SPEECH})\b"
    rf"|(?:{_SPEECH})\s+(?P<inv>[A-ZА-ЯІЎ][\w'’-]+(?:\s+[A-ZА-ЯІЎ][\w'’-]+){{0,3}})"
    rf"|(?P<name>[A-ZА-ЯІЎ][\w'’-]+(?:\s+[A-ZА-ЯІЎ][\w'’-]+){{0,3}})\s+(?:\w+\s+)?(?:{_SPEECH})\b"
    rf"|(?i:the\s+)?(?P<role>(?i:envoy|president|minister|official|spokes\w+|leader|activist))\s+(?:\w+\s+)?(?:{_SPEECH})\b)",
)
_BEFORE = re.compile(
    rf"(?P<who>[A-ZА-ЯІЎ][\w'’-]+(?:\s+[A-ZА-ЯІЎ][\w'’-]+){{0,3}}|{_PRONOUN})\s+"
    rf"(?:\w+\s+){{0,6}}?(?:{_SPEECH})\b[^\"“«„]{{0,80}}[:,]\s*$",
)
_INLINE_VERB = re.compile(rf"\b(?:{_SPEECH})\b", re.I)


@dataclass(slots=True)
class Statement:
    speaker: str | None
    quote: str
    channel: str | None
    span: tuple[int, int]


def _channel(attribution: str) -> str | None:
    for pattern, name in _CHANNELS:
        if pattern.search(attribution):
            return name
    return None


def _resolve(name: str | None, people: PersonIndex, position: int) -> str | None:
    if not name:
        return None
    name = normalise_space(name).removesuffix("'s")
    for mention in people.mentions:
        if mention.start <= position and (mention.name == name or mention.full == name
                                          or mention.full.endswith(" " + name)):
            return mention.full
    return None


def _last_subject(text: str, sentences: list[Sentence], people: PersonIndex, position: int,
                  role: str | None = None) -> str | None:
    """The last person who was a sentence subject before `position` ("He" keeps it)."""
    best = None
    for sentence in sentences:
        if sentence.start >= position:
            break
        if role:
            for mention in people.in_range(sentence.start, sentence.end):
                if people.titles.get(mention.full, "").endswith(role):
                    best = mention.full
            continue
        head = text[sentence.start:min(sentence.end, sentence.start + 70)]
        for mention in people.in_range(sentence.start, sentence.end):
            lead = text[sentence.start:mention.start]
            # Subject: the first name, before any verb (titles and adjectives may precede).
            if mention.start - sentence.start < 60 and not re.search(r"\b(?:\w+ed|\w+s)\s", lead.lower().replace("rights", "")):
                best = mention.full
                break
            break
        if re.match(rf"[\"“«„]?\s*{_PRONOUN}\b", head, re.I):
            continue
    return best


def find_statements(text: str, sentences: list[Sentence], quotes: list[tuple[int, int]],
                    people: PersonIndex) -> list[Statement]:
    statements: list[Statement] = []
    previous: Statement | None = None
    for start, end in quotes:
        inner = normalise_space(text[start + 1:end - 1]).rstrip(",")
        words = inner.split()
        if not words:
            continue
        sentence = next((s for s in sentences if s.start <= start < s.end), None)
        if sentence is None or sentence.boilerplate:
            continue
        # A short run of capitalised words in quotes is a title or a name ("Board of Peace").
        if len(words) <= 5 and all(w[:1].isupper() or w.lower() in {"of", "the", "and", "for"} for w in words):
            continue
        after_text = text[end:min(sentence.end, end + 160)]
        before_text = text[sentence.start:start]
        speaker = None
        attribution = ""
        m = _AFTER.match(after_text)
        if m:
            attribution = after_text[:after_text.find(".") if "." in after_text else len(after_text)]
            if m.group("pron"):
                if previous and re.match(r"^[\s,]*\w+\s+(?:added|continued|went on)", after_text, re.I) \
                        and previous.span[1] >= start - 400:
                    speaker = previous.speaker
                else:
                    speaker = _last_subject(text, sentences, people, start)
            elif m.group("role"):
                speaker = _last_subject(text, sentences, people, start, role=m.group("role").lower())
            else:
                speaker = _resolve(m.group("inv") or m.group("name"), people, end + 60)
        else:
            b = _BEFORE.search(before_text)
            if b:
                attribution = before_text[b.start():]
                who = b.group("who")
                if re.fullmatch(_PRONOUN, who, re.I):
                    speaker = _last_subject(text, sentences, people, start)
                else:
                    speaker = _resolve(who, people, start)
            elif re.match(rf"^[\s,]*[^\"“«„.]{{0,80}}?\b{_SPEECH}\b", after_text):
                # '"…," one of the freed men, who asked not to be named, told reporters.'
                attribution = after_text[:after_text.find(".") if "." in after_text else len(after_text)]
                speaker = None
            elif _INLINE_VERB.search(before_text):
                attribution = before_text
                subjects = people.in_range(sentence.start, start)
                speaker = subjects[0].full if subjects else None
            else:
                continue
        channel = _channel(attribution)
        if channel is None and previous is not None and speaker == previous.speaker \
                and re.match(r"^[\s,]*\w+\s+(?:added|continued|went on)", after_text, re.I) \
                and previous.span[1] >= start - 400:
            channel = previous.channel
        statement = Statement(speaker, inner, channel, (start, end))
        statements.append(statement)
        previous = statement
    return statements
