"""Word lists the rules share: places, organisations, titles and words that are never names.

Country names come from rigour's territory tables (English and many other languages, with
demonyms and capitals); what rigour does not cover for news prose is added here: Cyrillic case
forms ("в Литву", "ў Літву"), plural demonyms ("Lithuanians") and metonyms ("Washington",
"the Kremlin"). The other lists are hand-written because they encode how news about political
prisoners is worded, which no library models.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rigour.territories import get_territory, lookup_territory

# Metonyms and forms rigour resolves differently from news usage ("Washington" is a US state
# there; in foreign-policy copy it is the US government).
_TERRITORY_OVERRIDES: dict[str, str | None] = {
    "washington": "US", "white house": "US", "state department": "US", "america": "US",
    "us": "US", "u.s": "US", "u.s.": "US", "usa": "US", "u.s.a.": "US", "the us": "US",
    "kremlin": "RU", "moscow": "RU", "kyiv": "UA", "kiev": "UA", "brussels": "EU",
    "eu": "EU", "european union": "EU", "vatican": "VA", "holy see": "VA",
    "minsk": "BY", "vilnius": "LT", "warsaw": "PL", "riga": "LV",
    # Words rigour maps to a territory but which, capitalised in this domain, usually are not.
    "west": None, "western": None, "europe": None, "european": "EU",
    "jordan": None, "georgia": None, "chad": None, "victoria": None,
}

# Cyrillic case forms for the states that appear in Belarus release reporting. Declension
# makes a lookup table the reliable choice; rigour has the nominative only.
_CYRILLIC_FORMS: dict[str, str] = {}
for _code, _forms in {
    "LT": "литва литвы литве литву литвой літва літвы літве літву літвой вильнюс вільнюс",
    "UA": "украина украины украине украину украиной украіна украіны украіне украіну",
    "PL": "польша польши польше польшу польшчa польшча польшчы польшчу",
    "LV": "латвия латвии латвию латвія латвіі латвію",
    "US": "сша зша америка америки америке америку",
    "BY": "беларусь беларуси белоруссия белоруссии беларусі минск мінск",
    "RU": "россия россии россию расія расіі расію москва кремль",
    "DE": "германия германии германию германія германіі германію",
    "VA": "ватикан ватикана ватикане",
    "EU": "ес евросоюз еўрасаюз",
}.items():
    for _form in _forms.split():
        _CYRILLIC_FORMS[_form] = _code


@lru_cache(maxsize=4096)
def territory_code(phrase: str) -> str | None:
    """ISO 3166 alpha-2 code (upper case; "EU" for the Union) for a place name or demonym.

    Cities and regions resolve to their country because releases are reported by city
    ("arrived in Vilnius") while the ledger records states.
    """
    text = re.sub(r"\s+", " ", phrase.strip()).strip(".,;:")
    key = text.lower().removeprefix("the ")
    if key in _TERRITORY_OVERRIDES:
        return _TERRITORY_OVERRIDES[key]
    if key in _CYRILLIC_FORMS:
        return _CYRILLIC_FORMS[key]
    if text.isupper() and len(text) <= 3 and text not in {"US", "UK", "EU", "USA"}:
        return None  # "AP", "UN": initialisms are more often organisations than countries
    if text[:4].lower() == "the ":
        text = text[4:]
    candidates = [text]
    if key.endswith("s") and len(key) > 5:
        candidates.append(text[:-1])  # "Lithuanians" -> "Lithuanian"
    for candidate in candidates:
        found = lookup_territory(candidate)
        if found is None:
            continue
        while not found.is_country and found.parent is not None and found.code != "eu":
            found = found.parent
        if found.code == "eu":
            return "EU"
        return found.code.upper() if found.is_country else None
    return None


@lru_cache(maxsize=512)
def territory_name(code: str) -> str:
    """Display name for a code: "US" -> "United States"."""
    if code == "EU":
        return "European Union"
    found = get_territory(code.lower())
    return found.name if found is not None else code


# Organisations that report on or take part in releases. Keys are lower case; the value is the
# name the ledger uses, so "Viasna Human Rights Centre" and "«Вясна»" both report as "Viasna".
ORGANISATIONS: dict[str, str] = {
    "viasna": "Viasna", "viasna human rights centre": "Viasna",
    "viasna human rights center": "Viasna", "вясна": "Viasna", "вясны": "Viasna",
    "вясне": "Viasna", "вясной": "Viasna", "spring96": "Viasna",
    "human rights watch": "Human Rights Watch", "hrw": "Human Rights Watch",
    "amnesty international": "Amnesty International", "amnesty": "Amnesty International",
    "reuters": "Reuters", "associated press": "Associated Press", "ap": "Associated Press",
    "afp": "AFP", "agence france-presse": "AFP", "rfe/rl": "RFE/RL",
    "radio free europe/radio liberty": "RFE/RL", "radio liberty": "RFE/RL",
    "radio svaboda": "RFE/RL", "belarusian association of journalists": "BAJ", "baj": "BAJ",
    "беларуская асацыяцыя журналістаў": "BAJ", "белорусская ассоциация журналистов": "BAJ", "бaж": "BAJ",
    "belta": "BelTA", "белта": "BelTA", "nasha niva": "Nasha Niva", "наша ніва": "Nasha Niva",
    "zerkalo": "Zerkalo", "зеркало": "Zerkalo", "dissidentby": "Dissidentby",
    "politzek.me": "Politzek.me", "libereco": "Libereco", "osce": "OSCE", "un": "United Nations",
    "united nations": "United Nations", "icrc": "ICRC", "red cross": "ICRC",
    "international committee of the red cross": "ICRC", "pen belarus": "PEN Belarus",
    "belsat": "Belsat", "белсат": "Belsat", "interfax": "Interfax", "интерфакс": "Interfax",
    "tass": "TASS", "тасс": "TASS", "bbc": "BBC", "ofac": "OFAC",
}

# Nouns that introduce an organisation's name ("rights group Viasna").
ORG_INTRO = (
    r"(?:human[ -]rights?|rights) (?:group|centre|center|organi[sz]ation|monitor|defenders?|watchdog)"
    r"|(?:monitoring|advocacy|exile|opposition) group|watchdog|news agency|state news agency"
    r"|(?:news )?outlet|NGO|правозащитн(?:ый|ая|ого|ой) (?:центр|организаци[яи])"
    r"|праваабарончы (?:цэнтр|арганізацыя)|праваабарончага цэнтра|агентство|агенцтва"
)

# Titles and role words seen before a name. They are cut from name spans, and some decide
# the person's part in the story (envoys mediate, heads of state stand for their state).
MEDIATOR_TITLES = (
    "envoy", "special envoy", "presidential envoy", "special representative", "negotiator",
    "mediator", "emissary", "hostage envoy", "special presidential envoy for hostage affairs",
    "посланник", "спецпосланник", "спецпосланника", "спецпосланником", "спецпасланнік",
    "спецпасланніка", "пасланнік", "пасланніка", "посланника",
)
HEAD_OF_STATE_TITLES = (
    "president", "prime minister", "chancellor", "king", "queen", "pope", "premier",
    "президент", "прэзідэнт",
)
OFFICIAL_TITLES = HEAD_OF_STATE_TITLES + MEDIATOR_TITLES + (
    "minister", "foreign minister", "secretary", "secretary of state", "spokesman",
    "spokeswoman", "spokesperson", "ambassador", "official", "senator", "governor", "general",
    "adviser", "advisor", "leader", "opposition leader", "chief", "director",
    "judge", "prosecutor", "commissioner", "министр", "міністр", "посол", "пасол",
)

# Capitalised words that never start or continue a person's name in this domain.
_STOP_WORDS = """
a an the and or but if of in on at by for from to with without about after before among amongst
as into onto over under than that this these those then there their they them he she his her
its it we our us you your i my me who whom whose which what when where while why how not no nor
so yet also only even still just both each every all any some many more most much few other such
is are was were be been being has have had do does did will would can could may might must shall
should mr mrs ms dr prof sir madam mister
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec today yesterday tomorrow
president prime minister chancellor king queen pope premier secretary state department
ministry finance foreign interior justice defence defense affairs office council committee
court supreme union party parliament government administration authorities authority agency
service services bank banks company corporation group centre center fund foundation institute
university school academy press news radio television tv times post daily weekly journal
human rights watch international amnesty national republic republican democratic federal
european union united states kingdom nations west western east eastern north south
envoy special representative ambassador embassy consulate spokesman spokeswoman spokesperson
official officials leader leaders opposition chief general colonel captain lieutenant sergeant
senator governor mayor deputy adviser advisor director judge prosecutor commissioner
journalist journalists activist activists blogger bloggers lawyer lawyers politician
politicians dissident dissidents prisoner prisoners laureate nobel peace prize board
freedom liberty free democracy election elections protest protests potash airline airlines
related read more see also advertisement share subscribe photo photos video source sources
breaking update updated live opinion analysis comment editorial exclusive
belarus belarusian lithuania lithuanian ukraine ukrainian russia russian poland polish
america american americans washington minsk vilnius kyiv moscow warsaw riga europe
x twitter telegram facebook instagram youtube
viasna reuters belta belaruskali belavia assets control treasury headquarters press
"""
_STOP_WORDS_CYRILLIC = """
и или но а в во на у ў с со к ко о об от до по за из для при без про над под что как это
этот эта эти тот та те он она они его её их мы вы я также ещё еще уже только даже всё все
і ці але з са да ад па для пры без пра над пад што як гэта гэты гэтая гэтыя ён яна яны яго
яе іх мы вы я таксама яшчэ ўжо толькі нават усё усе сярод среди
понедельник вторник среда среду четверг пятница пятницу суббота субботу воскресенье
панядзелак аўторак серада сераду чацвер пятніца пятніцу субота суботу нядзеля нядзелю
президент прэзідэнт министр міністр посол пасол спецпосланник спецпасланнік лидер лідар
политзаключенные политзаключённые палітвязні правозащитники праваабаронцы
беларусь беларуси белоруссия литва литву украина украину сша зша россия расія
минск мінск вильнюс вільнюс вясна белта
"""
STOP_WORDS: frozenset[str] = frozenset((_STOP_WORDS + _STOP_WORDS_CYRILLIC).split())


def is_stop_token(token: str) -> bool:
    """True when a capitalised token cannot be part of a person's name."""
    key = token.lower().rstrip(".").removesuffix("'s").removesuffix("’s")
    if key in STOP_WORDS or key in ORGANISATIONS:
        return True
    return territory_code(token) is not None


def canonical_org(name: str) -> str | None:
    """The ledger's name for an organisation, or None when it is not a known one."""
    key = re.sub(r"\s+", " ", name.strip(" «»\"'“”„.,")).lower()
    return ORGANISATIONS.get(key)
