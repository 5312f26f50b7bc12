"""From triggers, dates, counts and people to events.

The rule that carries most weight is the news lead: a report's first sentences say what
happened. A release is a new event only when a factual release verb stands in the lead and its
date is within a week of publication (and the piece is not opinion). Release verbs later in the
text with a date of their own are recaps of earlier releases, kept as `release_recap` so they
can be attached to those events as extra sources; undated ones join the main event, unless they
say "earlier"/"previously". Articles whose lead reports an arrest, a sentence, sanctions or an
envoy's appointment yield that kind of event and no release.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from freedomledger.extract.context import (
    RECAP_CUE,
    RECENT_DAYS,
    dates_by_sentence,
    fold_coarse_groups,
    is_recent,
    rank,
    releasing_country,
    same_time,
    sentence_fits,
    trigger_date,
)
from freedomledger.extract.counts import CountMention, find_counts
from freedomledger.extract.dates import DateMention
from freedomledger.extract.deals import find_concessions, find_mediators, find_reporters
from freedomledger.extract.lexicon import territory_code
from freedomledger.extract.model import CountPart, Event, PersonRef
from freedomledger.extract.people import PersonIndex
from freedomledger.extract.roles import negative_names, released_in
from freedomledger.extract.segment import Sentence
from freedomledger.extract.triggers import Trigger

Resolver = Callable[[str], "str | None"]

LEAD_SENTENCES = 3
_HEDGE = re.compile(r"\b(?:reportedly|allegedly|unconfirmed|is\s+said\s+to|are\s+said\s+to|rumou?rs?|"
                    r"may\s+have\s+been|reports\s+suggest|сообщается|по\s+неофициальным|паводле\s+неафіцыйных)\b", re.I)
_DESTINATION = re.compile(
    r"\b(?:taken|driven|deported|expelled|sent|transferred|handed\s+over|bused|bussed|flown|escorted|"
    r"brought|moved|crossed|arrived|left|forced\s+to\s+leave|went)\s+(?:(?:out\s+of\s+the\s+country|\w+)\s+){0,3}?"
    r"(?:to|into|in|for)\s+(?:the\s+)?(?:neighbo(?:u)?ring\s+)?(?:border\s+with\s+)?"
    r"(?P<p>[A-Z][\w'’-]{0,40})"
    r"|\b(?:вывез\w*|депортир\w*|передан\w*|передал\w*|отправл\w*|доставл\w*|выслан\w*|выдворен\w*|"
    r"прибыл\w*|уехал\w*|дэпартав\w*|перададзен\w*|адпраўлен\w*|апынул\w*|прыбыл\w*|вывезен\w*)"
    r"\s+(?:\w+\s+){0,2}?(?:в|во|у|ў|на)\s+(?P<c>[А-ЯІЎ][\w-]+)"
    r"|\b(?:передал\w*|перададзен\w*|передан\w*)\s+(?P<d>[А-ЯІЎ][\w-]+)"
    r"|\b(?P<r>[A-Z][\w'’-]{0,40})\s+(?:on\s+\w+\s+)?(?:received|took\s+in|accepted)\s+(?:\w+\s+){0,3}?"
    r"(?:people|prisoners|detainees|citizens|freed|released)",
)


def _add_named(text: str, count: CountMention, trigger: Trigger, people: PersonIndex) -> CountMention:
    """"X and 13 other prisoners": the total is the named people plus the others."""
    if count.value is None or not re.search(r"(?i:\bother|\bothers\b|\bmore\b|других|іншых)", count.text):
        return count
    named = {m.full for m in released_in(text, trigger, people) if m.start < count.start}
    if not named:
        return count
    return CountMention(count.start, count.end, count.text, count.value + len(named),
                        count.qualifier, count.role, count.destination)


def _best_count(text: str, triggers: list[Trigger], releasing: str | None,
                people: PersonIndex) -> tuple[CountMention | None, list[CountMention]]:
    total: CountMention | None = None
    parts: list[CountMention] = []
    seen: set[int] = set()
    for trigger in triggers:
        sentence = trigger.sentence
        if sentence.start in seen:
            continue
        seen.add(sentence.start)
        counts = find_counts(text, sentence.start, sentence.end, releasing)
        totals = [c for c in counts if c.role == "total"]
        if total is None and totals:
            total = min(totals, key=lambda c: abs(c.start - trigger.end) if c.start >= trigger.start
                        else abs(trigger.start - c.end) + 30)
            total = _add_named(text, total, trigger, people)
        elif total is not None and total.value is not None:
            # "They were part of a group of 123": a larger whole named later wins.
            for c in totals:
                if c.value and c.value > total.value and re.search(
                        r"(?i:group\s+of|part\s+of|out\s+of|of\s+the|among\s+the|total\s+of|"
                        r"всего|усяго|из)\s+$", text[max(0, c.start - 15):c.start]):
                    total = c
        parts.extend(c for c in counts if c.role == "subset")
    return total, parts


def _destinations(text: str, sentences: list[Sentence], releasing: str | None) -> list[str]:
    found: list[str] = []
    for sentence in sentences:
        for m in _DESTINATION.finditer(text, sentence.start, sentence.end):
            code = territory_code(m.group("p") or m.group("c") or m.group("d") or m.group("r"))
            if code and code != releasing and code != "EU" and code not in found:
                found.append(code)
    return found


def _confidence(event: Event, main_trigger: Trigger | None, text: str) -> float:
    score = 0.55 if event.kind == "release" else 0.5
    score += 0.15 if event.count is not None or event.count_qualifier else 0
    score += 0.1 if event.date_basis and "publication date" not in event.date_basis else 0
    score += 0.05 if event.released else 0
    score += 0.05 if event.reported_by or event.mediators else 0
    if main_trigger is not None:
        if _HEDGE.search(main_trigger.sentence.text):
            score -= 0.2
        if main_trigger.in_quote:
            score -= 0.1
    return max(0.05, min(0.95, score))


def _vague(date: DateMention | None) -> bool:
    return date is None or date.precision != "day"


def build_events(
    text: str, sentences: list[Sentence], triggers: list[Trigger], dates: list[DateMention],
    people: PersonIndex, published: dt.date | None, *, title: str | None, opinion: bool,
    resolver: Resolver | None, quotes: Sequence[tuple[int, int]] = (),
) -> list[Event]:
    content = [s for s in sentences if not s.boilerplate]
    lead = {s.index for s in content[:LEAD_SENTENCES]}
    releases = [t for t in triggers if t.kind == "release" and t.factual and not t.negated]
    dated = {id(t): trigger_date(text, t, dates, quotes) for t in releases}
    releases = [t for t in releases if not (t.background and _vague(dated[id(t)]))]
    # "X was among them" names the freed only right after a sentence about the release.
    with_release = {t.sentence.index for t in releases if not t.voice.startswith("anaphor")}
    previous = {s.index: p.index for p, s in zip(content, content[1:])}
    releases = [t for t in releases if not t.voice.startswith("anaphor") or any(
        0 < t.sentence.index - i <= 3 for i in with_release)]
    main = next((t for t in releases if t.sentence.index in lead), None)
    negatives = negative_names(text, content, people)

    groups: dict[str, list[Trigger]] = {}
    group_dates: dict[str, DateMention | None] = {}
    main_date = dated[id(main)] if main is not None else None
    if main is not None and main_date is None:
        main_date = next((dated[id(t)] for t in releases if t.sentence.index in lead and dated[id(t)]), None)
    for trigger in releases:
        own = dated[id(trigger)]
        recap_cue = bool(RECAP_CUE.search(trigger.sentence.text))
        if trigger.voice.startswith("anaphor") and own is None and trigger is not main:
            # "X and Y were among them": the group of the sentence just before.
            before = previous.get(trigger.sentence.index)
            home = next((k for k, ms in groups.items() if any(t.sentence.index == before for t in ms)), None)
            if home is not None:
                groups[home].append(trigger)
                continue
        finer = own is not None and main_date is not None and rank(own) < rank(main_date)
        if main is not None and (
            trigger is main
            or (own is None and not recap_cue)
            or (own is not None and main_date is not None and same_time(own, main_date)
                and not finer and (own.precision == "day" or not recap_cue))
            or (own is not None and main_date is None and is_recent(own, published) and not recap_cue)
        ):
            groups.setdefault("main", []).append(trigger)
            if main_date is None and own is not None:
                main_date = own
            continue
        if own is None:
            # "X and Y were among them": the group of the sentence just before.
            before = previous.get(trigger.sentence.index)
            for key, members in groups.items():
                if key != "main" and any(t.sentence.index in {before, trigger.sentence.index} for t in members):
                    members.append(trigger)
                    break
            continue
        key = own.iso() or own.text
        groups.setdefault(key, []).append(trigger)
        group_dates[key] = own
    group_dates["main"] = main_date
    fold_coarse_groups(groups, group_dates)

    releasing = releasing_country(text, main or (releases[0] if releases else None), people)
    events: list[Event] = []
    for key, members in groups.items():
        date = group_dates.get(key)
        recap_cue = any(RECAP_CUE.search(t.sentence.text) for t in members) and key != "main"
        recent = is_recent(date, published)
        fresh = recent and not opinion and not recap_cue and (key == "main" or (date is not None and date.precision == "day"))
        event = Event(kind="release" if fresh else "release_recap", country=releasing)
        if date is not None:
            event.date, event.date_precision, event.date_basis = date.iso(), date.precision, date.basis
        elif published is not None and key == "main":
            event.date, event.date_precision = published.isoformat(), "day"
            event.date_basis = f"no date in the text; publication date {published.isoformat()}"
        member_sentences = sorted({t.sentence.index: t.sentence for t in members}.values(), key=lambda s: s.start)
        total, parts = _best_count(text, members, releasing, people)
        if total is None and len(parts) == 1 and parts[0].value is not None and \
                any(t.sentence.start <= parts[0].start < t.sentence.end for t in members[:1]):
            total, parts = parts[0], []  # "three people were freed and taken to Lithuania"
        if total is None and key == "main" and title:
            title_totals = [c for c in find_counts(title, 0, len(title), releasing) if c.role == "total"]
            if title_totals:
                total = title_totals[0]
        if total is not None:
            event.count, event.count_qualifier = total.value, total.qualifier
            event.count_text = re.sub(r"\s+", " ", total.text)
        seen_parts: set[tuple[int | None, str | None]] = set()
        for part in parts:
            if (part.value, part.destination) not in seen_parts:
                seen_parts.add((part.value, part.destination))
                event.count_parts.append(CountPart(part.value, re.sub(r"\s+", " ", part.text), part.destination))
        # Sentences the event may draw context from: its own, and for the main event every
        # sentence that does not point to another time.
        if key == "main":
            by_sentence = dates_by_sentence(content, dates)
            context = [s for s in content if sentence_fits(text, s, by_sentence.get(s.index, []), main_date, members)]
        else:
            context = member_sentences
        ranges = [(s.start, s.end) for s in context]
        destinations = [p.destination for p in parts if p.destination]
        follow = context if key == "main" else member_sentences
        for code in destinations + _destinations(text, follow, releasing):
            if code not in event.destination:
                event.destination.append(code)
        seen_names: set[str] = set()
        for trigger in members:
            for mention in released_in(text, trigger, people):
                if mention.full in negatives or mention.full in seen_names:
                    continue
                seen_names.add(mention.full)
                person_id = resolver(mention.full) if resolver is not None else None
                event.released.append(PersonRef(mention.full, person_id, (mention.start, mention.end)))
        event.mediators = find_mediators(text, ranges, people, releasing)
        mediator_states = [code for code in (territory_code(m.name) for m in event.mediators if m.kind == "state") if code]
        linked = {s.start for s in member_sentences}
        event.concessions = find_concessions(text, ranges, people, releasing, linked, mediator_states)
        for sentence in member_sentences + ([s for s in content if s.index in lead] if key == "main" else []):
            for org in find_reporters(text, sentence.start, sentence.end, people):
                if org not in event.reported_by:
                    event.reported_by.append(org)
        anchor = main if key == "main" else members[0]
        event.evidence = (anchor.sentence.start, anchor.sentence.end) if anchor else None
        event.confidence = _confidence(event, anchor, text)
        events.append(event)
    if not any(e.kind == "release" for e in events):
        other = other_event(text, content, lead, triggers, dates, people, published, releasing,
                            resolver, quotes)
        if other is not None:
            events.insert(0, other)
    events.sort(key=lambda e: (e.kind != "release", e.evidence[0] if e.evidence else 0))
    return events


def other_event(text: str, content: list[Sentence], lead: set[int], triggers: list[Trigger],
                dates: list[DateMention], people: PersonIndex, published: dt.date | None,
                releasing: str | None, resolver: Resolver | None,
                quotes: Sequence[tuple[int, int]] = ()) -> Event | None:
    """The non-release event a lead reports (arrest, sentence, sanctions, envoy appointment)."""
    for trigger in triggers:
        if trigger.kind == "release" or trigger.sentence.index not in lead:
            continue
        if not trigger.factual or trigger.negated or trigger.background:
            continue
        if re.search(r"(?i:\b(?:who|whom|which|many\s+of\s+whom|кото\w+|які\w*)\s+(?:\w+\s+){0,3}$)",
                     text[trigger.sentence.start:trigger.start]):
            continue
        date = trigger_date(text, trigger, dates, quotes)
        if date is None:  # a headline has no date; the next lead sentence of the same kind may
            date = next((d for t in triggers if t.kind == trigger.kind and t.sentence.index in lead
                         and t.factual and not t.negated
                         for d in [trigger_date(text, t, dates, quotes)] if d is not None), None)
        if date is not None and published is not None and date.last is not None and \
                date.last < published - dt.timedelta(days=RECENT_DAYS):
            continue  # the lead looks back; nothing new happened
        event = Event(kind=trigger.kind, country=releasing)
        if date is not None:
            event.date, event.date_precision, event.date_basis = date.iso(), date.precision, date.basis
        elif published is not None:
            event.date, event.date_precision = published.isoformat(), "day"
            event.date_basis = f"no date in the text; publication date {published.isoformat()}"
        sentence = trigger.sentence
        counts = [c for c in find_counts(text, sentence.start, sentence.end, releasing) if c.role == "total"]
        if counts and trigger.kind in {"arrest", "sentence"}:
            event.count, event.count_qualifier, event.count_text = counts[0].value, counts[0].qualifier, counts[0].text
        for mention in people.in_range(sentence.start, sentence.end):
            if trigger.kind != "envoy_appointed" and people.is_official(mention.full):
                continue
            if trigger.kind == "envoy_appointed" and not people.is_mediator_title(mention.full) \
                    and mention.start < trigger.start:
                continue
            if any(s.name == mention.full for s in event.subjects):
                continue
            person_id = resolver(mention.full) if resolver is not None else None
            event.subjects.append(PersonRef(mention.full, person_id, (mention.start, mention.end)))
        if trigger.kind == "sanctions_lifted":
            same = sorted({(t.sentence.start, t.sentence.end) for t in triggers
                           if t.kind == trigger.kind and t.sentence.index in lead and t.factual})
            event.concessions = find_concessions(text, same, people, releasing, {a for a, _ in same}, [])
        event.reported_by = find_reporters(text, sentence.start, sentence.end, people)
        event.evidence = (sentence.start, sentence.end)
        event.confidence = _confidence(event, trigger, text)
        return event
    return None
