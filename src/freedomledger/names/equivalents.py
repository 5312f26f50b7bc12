"""Belarusian <-> Russian (<-> Ukrainian) given-name equivalents, patronymics, titles and
legal forms.

The given-name table is our own data, written by hand because no library has it: OpenSanctions'
and Wikidata's name lists know that "Aliaksandr" and "Alexander" co-occur only when a record
happens to carry both. The phonetic skeleton already joins most pairs (Valiantsin/Valentin,
Siarhei/Sergei, Yauhen/Evgeny); the table is what closes the rest (Ryhor/Grigory,
Mikalai/Nikolai, Nasta/Anastasia, Volha/Olga, Hanna/Anna, Zmitser/Dmitry) and what the alias
generator uses to turn a Belarusian given name into its Russian form and back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from freedomledger.names.phonetic import VOWELS, fine_keys, skeleton, vowels_compatible


@dataclass(frozen=True)
class GivenName:
    """One given name: Belarusian, Russian and Ukrainian Cyrillic plus other common spellings."""

    be: str
    ru: str
    uk: str
    female: bool
    others: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.ru


def _g(be: str, ru: str, uk: str, others: str = "", female: bool = False) -> GivenName:
    return GivenName(be, ru, uk, female, tuple(others.split()))


# fmt: off
GIVEN_NAMES: tuple[GivenName, ...] = (
    _g("Аляксандр", "Александр", "Олександр", "Алесь Aleś Ales Alexander Aleksander Aliaksandr Alaksandar"),
    _g("Аляксей", "Алексей", "Олексій", "Alexei Alexey Aliaksei Alexis"),
    _g("Анатоль", "Анатолий", "Анатолій"),
    _g("Андрэй", "Андрей", "Андрій", "Andrzej Andrej"),
    _g("Антон", "Антон", "Антон"),
    _g("Арцём", "Артём", "Артем", "Artsiom Artem Artyom Arciom"),
    _g("Аркадзь", "Аркадий", "Аркадій"),
    _g("Арсень", "Арсений", "Арсеній"),
    _g("Багдан", "Богдан", "Богдан"),
    _g("Барыс", "Борис", "Борис"),
    _g("Вадзім", "Вадим", "Вадим"),
    _g("Валянцін", "Валентин", "Валентин"),
    _g("Валерый", "Валерий", "Валерій"),
    _g("Васіль", "Василий", "Василь", "Basil"),
    _g("Віктар", "Виктор", "Віктор"),
    _g("Віталь", "Виталий", "Віталій"),
    _g("Уладзімір", "Владимир", "Володимир", "Ўладзімір Uładzimir Władimir Wladimir Vladzimir"),
    _g("Уладзіслаў", "Владислав", "Владислав"),
    _g("Вячаслаў", "Вячеслав", "В'ячеслав"),
    _g("Генадзь", "Геннадий", "Геннадій"),
    _g("Георгій", "Георгий", "Георгій", "George"),
    _g("Ягор", "Егор", "Єгор"),
    _g("Рыгор", "Григорий", "Григорій", "Gregory Grzegorz Hryhoryj"),
    _g("Дзмітрый", "Дмитрий", "Дмитро", "Зміцер Змітрок Zmicier Zmitser Dmitri"),
    _g("Дзяніс", "Денис", "Денис"),
    _g("Эдуард", "Эдуард", "Едуард", "Edward"),
    _g("Яўген", "Евгений", "Євген", "Eugene Jauhien Yauhen"),
    _g("Іван", "Иван", "Іван", "John"),
    _g("Ігар", "Игорь", "Ігор"),
    _g("Ігнат", "Игнат", "Ігнат"),
    _g("Ілля", "Илья", "Ілля"),
    _g("Язэп", "Иосиф", "Йосип", "Юзаф Joseph Józef Iosif"),
    _g("Канстанцін", "Константин", "Костянтин", "Кастусь Kastus Kastuś"),
    _g("Кірыл", "Кирилл", "Кирило"),
    _g("Леанід", "Леонид", "Леонід"),
    _g("Максім", "Максим", "Максим"),
    _g("Міхаіл", "Михаил", "Михайло", "Міхась Міхал Michael Michał"),
    _g("Мікалай", "Николай", "Микола", "Мікола Nicholas Nicolas Mikołaj"),
    _g("Мікіта", "Никита", "Микита"),
    _g("Алег", "Олег", "Олег"),
    _g("Павел", "Павел", "Павло", "Павал Paul Paweł"),
    _g("Пётр", "Пётр", "Петро", "Петр Пятро Piotr Peter"),
    _g("Раман", "Роман", "Роман"),
    _g("Сяргей", "Сергей", "Сергій"),
    _g("Станіслаў", "Станислав", "Станіслав"),
    _g("Святаслаў", "Святослав", "Святослав"),
    _g("Сцяпан", "Степан", "Степан", "Stephen Stefan"),
    _g("Ціхан", "Тихон", "Тихон"),
    _g("Тарас", "Тарас", "Тарас"),
    _g("Фёдар", "Фёдор", "Федір", "Федор Хвёдар Хведар Theodore"),
    _g("Юрый", "Юрий", "Юрій"),
    _g("Яраслаў", "Ярослав", "Ярослав"),
    _g("Аляксандра", "Александра", "Олександра", "Alexandra", female=True),
    _g("Анастасія", "Анастасия", "Анастасія", "Наста Nasta Nastassia", female=True),
    _g("Ганна", "Анна", "Ганна", "Hanna Anna Anne", female=True),
    _g("Вольга", "Ольга", "Ольга", "Volha Olga Olha", female=True),
    _g("Вікторыя", "Виктория", "Вікторія", "Victoria", female=True),
    _g("Валянціна", "Валентина", "Валентина", female=True),
    _g("Вераніка", "Вероника", "Вероніка", female=True),
    _g("Вера", "Вера", "Віра", female=True),
    _g("Галіна", "Галина", "Галина", female=True),
    _g("Алена", "Елена", "Олена", "Jelena", female=True),
    _g("Кацярына", "Екатерина", "Катерина", "Кася Kasia Catherine Katarzyna", female=True),
    _g("Ірына", "Ирина", "Ірина", female=True),
    _g("Людміла", "Людмила", "Людмила", female=True),
    _g("Марыя", "Мария", "Марія", "Mary", female=True),
    _g("Марына", "Марина", "Марина", female=True),
    _g("Наталля", "Наталья", "Наталія", "Natalia Natallia", female=True),
    _g("Надзея", "Надежда", "Надія", "Nadzeya Nadzieja", female=True),
    _g("Святлана", "Светлана", "Світлана", female=True),
    _g("Таццяна", "Татьяна", "Тетяна", "Tatsiana Tatiana", female=True),
    _g("Юлія", "Юлия", "Юлія", female=True),
    _g("Яўгенія", "Евгения", "Євгенія", female=True),
    _g("Ксенія", "Ксения", "Ксенія", "Ksenia", female=True),
    _g("Дар'я", "Дарья", "Дарія", female=True),
    _g("Алеся", "Олеся", "Олеся", female=True),
    _g("Лідзія", "Лидия", "Лідія", female=True),
    _g("Любоў", "Любовь", "Любов", female=True),
    _g("Паліна", "Полина", "Поліна", female=True),
    _g("Яна", "Яна", "Яна", female=True),
)
# fmt: on

_LANG_OF = {"be": "be", "ru": "ru", "uk": "uk"}


def final_a(key: str) -> bool:
    return key.endswith("a")


def _build_table() -> tuple[dict[tuple[str, bool], list[tuple[str, str]]], dict[str, GivenName]]:
    """(skeleton, ends in -a) -> [(given-name id, fine key of a listed spelling)]."""
    table: dict[tuple[str, bool], list[tuple[str, str]]] = defaultdict(list)
    by_id: dict[str, GivenName] = {}
    for name in GIVEN_NAMES:
        by_id[name.id] = name
        spellings = [(name.be, "be"), (name.ru, "ru"), (name.uk, "uk")]
        spellings += [(other, "ru") for other in name.others]
        for spelling, lang in spellings:
            for key in fine_keys(spelling.lower().replace("'", ""), lang):
                entry = (name.id, key)
                slot = table[(skeleton(key), final_a(key))]
                if entry not in slot:
                    slot.append(entry)
    return dict(table), by_id


_TABLE, GIVEN_BY_ID = _build_table()


def _close(key: str, listed: str) -> bool:
    """A token spells a listed given name when, beyond the shared skeleton, its vowels agree
    (i, u and the a/e/o group kept apart) and it is close in letters: this keeps surnames
    such as Ivin, Stupin or Lobov out of Ivan, Stepan and Lyubov."""
    if key == listed:
        return True
    return vowels_compatible(key, listed, strict=True) and Levenshtein.normalized_similarity(key, listed) >= 0.7


@lru_cache(maxsize=200_000)
def given_name_classes(keys: tuple[str, ...]) -> frozenset[str]:
    """Ids of the given names a token may spell (gender kept apart by the final -a)."""
    out: set[str] = set()
    for key in keys:
        for cid, listed in _TABLE.get((skeleton(key), final_a(key)), ()):
            if _close(key, listed):
                out.add(cid)
    return frozenset(out)


# Patronymic endings on fine keys (after phonetic folding): -ovich/-avič/-ovych/-ewicz all end
# in "viC", -ovna/-auna/-eŭna in "vna"; -ichna (Ильинична) in "iCna".
_MALE_PATRONYMIC = ("oviC", "eviC", "aviC", "iviC")
_FEMALE_PATRONYMIC = ("ovna", "evna", "avna", "ivna", "iCna")


def patronymic_gender(keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if len(key) < 6:
            continue
        if key.endswith(_MALE_PATRONYMIC):
            return "m"
        if key.endswith(_FEMALE_PATRONYMIC):
            return "f"
    return None


def patronymic_stems(keys: tuple[str, ...]) -> frozenset[str]:
    """Given names a patronymic is formed from (Ryhoravich -> Григорий)."""
    out: set[str] = set()
    for key in keys:
        for suffix in _MALE_PATRONYMIC + _FEMALE_PATRONYMIC:
            if key.endswith(suffix):
                stem = key[: -len(suffix)]
                if len(stem) < 2:
                    continue
                sk = skeleton(stem)
                for cid, listed in _TABLE.get((sk, False), []) + _TABLE.get((sk, True), []):
                    if vowels_compatible(stem, listed, strict=True):
                        out.add(cid)
                break
    return frozenset(out)


@lru_cache(maxsize=200_000)
def ending_gender(key: str) -> str | None:
    """Grammatical gender shown by a surname or given-name ending, when it shows one.

    "a" after folding marks feminine forms (-ava, -ina, -skaja, Aliaksandra); a consonant or
    -i marks masculine ones (-au, -ov, -in, -ski, Aliaksandr). Endings in -o, -e, -u and
    forms like -ka that Belarusian uses for both genders stay None or "a"; compare.py only
    flags a conflict between an "a" and a masculine ending of one stem.
    """
    if not key:
        return None
    last = key[-1]
    if last == "a":
        return "f"
    if last in VOWELS and last != "i":
        return None
    return "m"


# Titles and honorifics that sanctions lists and news put before names.
PERSON_TITLES = frozenset(
    """mr mrs ms miss dr prof sir lord president presidente präsident prasident prezydent
    président predsjednik presiden președintele presedintele elnök elnok general colonel
    gen col lt minister judge господин госпожа гражданин президент прэзідэнт генерал
    полковник міністр министр судья суддзя""".split()
)

# Legal forms rigour does not know, mostly Belarusian state and private enterprise forms.
# Phrases are matched as whole token sequences on normalised text.
LEGAL_FORM_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(form.split())
    for form in (
        "республиканское унитарное предприятие",
        "рэспубліканскае унітарнае прадпрыемства",
        "республиканское унитарное производственное предприятие",
        "republican unitary enterprise",
        "republican unitary production enterprise",
        "коммунальное унитарное предприятие",
        "частное унитарное предприятие",
        "частное торговое унитарное предприятие",
        "унитарное предприятие",
        "унітарнае прадпрыемства",
        "unitary enterprise",
        "state enterprise",
        "государственное предприятие",
        "адкрытае акцыянернае таварыства",
        "закрытае акцыянернае таварыства",
        "таварыства з абмежаванай адказнасцю",
        "таварыства з дадатковай адказнасцю",
        "общество с дополнительной ответственностью",
        "иностранное общество с ограниченной ответственностью",
        "совместное общество с ограниченной ответственностью",
        "open joint stock company",
        "closed joint stock company",
        "joint stock company",
        "limited liability company",
    )
)
LEGAL_FORM_TOKENS = frozenset(
    """руп рууп уп гп гуп куп коуп чуп чтуп ип сооо иооо одо тдв аат таа зат пат прат тов пао
    нао ао оао зао ооо rue rup ruc up sue jsc ojsc cjsc pjsc llc ltd oao zao ooo odo sooo
    iooo pao""".split()
)
