"""What the splitter, the role rules and the heuristic scorer know of each language.

One :class:`LanguageRules` per supported language, filled from word lists in this
module; :func:`rules_for` returns the rules of a language code, and English for a
language without rules of its own. Every language's rules include the English ones
(news in any language quotes "Mr." and "U.S."), so a language adds words and never
takes English behaviour away.

To add a language: write its lists below (abbreviations that never end a sentence,
titles before names, abbreviations before numbers, month names, words that start a
sentence, line prefixes of bylines, captions and boilerplate, the form of its
datelines, its news agencies' photo credits, and the scorer's cue words), add a
``LanguageRules`` entry to ``_RULES``, and add its cases to
``tests/builder/test_multilingual.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Cues:
    """The heuristic scorer's word lists for one language (lower case).

    Month names are the language's ``LanguageRules.months``.
    """

    number: frozenset[str] = frozenset()
    comparison: frozenset[str] = frozenset()
    attribution: frozenset[str] = frozenset()
    hedge: frozenset[str] = frozenset()
    opinion: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LanguageRules:
    """Sentence splitting, role and scoring rules of one language.

    Attributes
    ----------
    code : str
        ISO 639-1 code.
    titles : frozenset of str
        Titles before a name (``sr``, ``mr``, ``dr``): never the end of a sentence.
    titles_unless_number : frozenset of str
        Titles that after a number are a unit instead, and may end a sentence there: Arabic
        ``د.`` is a doctor before a name and a dinar or a minute after a number, ``م.`` an
        engineer before a name and "AD" after a year (``عام 2023 م.``).
    never_final : frozenset of str
        Abbreviations that never end a sentence (``o.a``, ``z.b``, ``ee``), written
        lower case without their final dot.
    before_number : frozenset of str
        Abbreviations that do not end a sentence when a number follows (``blz. 5``); the
        month abbreviations are added to them.
    months : frozenset of str
        Month names, lower case: after an ordinal (``am 3. Mai``) the sentence goes on. A name
        of two words (Arabic ``تشرين الأول``) is one entry, and the scorer reads it as one.
    month_abbreviations : frozenset of str
        Abbreviated month names, lower case without their dot: after an ordinal (``am 3.
        Okt.``), and before a news agency's parenthesis in a dateline (``Madrid, 12 oct.
        (EFE)``), the sentence goes on.
    starters : frozenset of str
        Words that start a sentence after an initialism (``... in EE. UU. El ...``).
    line_prefixes : dict
        Role -> a regular expression of the line starts that mark that role
        (``{"boilerplate": "lees ook|...", "caption": "foto:", "byline": "por "}``).
    datelines : str
        A regular expression of a whole dateline (``Madrid, 12 oct. (EFE).-``, ``عمان - بترا``),
        built with :func:`_datelines`: a line, or a sentence of its own, that is only a
        dateline has the role ``byline``.
    dateline_openings : str
        A regular expression of a dateline that opens a sentence and ends in its dash
        (``LONDON, Oct 5 (Reuters) - The minister said...``), with a date or an agency after
        the place, built with :func:`_datelines`: the scorer leaves it out of the cues.
    credits : str
        A regular expression of the news and photo agencies whose credit at the end of a line
        (``... EFE/Mariscal``, ``ANP/Robin Utrecht``) makes the line a caption: alone on the
        line, after a sentence, in brackets or after a dash (not ``... difundida por EFE/Europa Press.``).
    cues : Cues
        The heuristic scorer's words.
    """

    code: str
    titles: frozenset[str] = frozenset()
    titles_unless_number: frozenset[str] = frozenset()
    never_final: frozenset[str] = frozenset()
    before_number: frozenset[str] = frozenset()
    months: frozenset[str] = frozenset()
    month_abbreviations: frozenset[str] = frozenset()
    starters: frozenset[str] = frozenset()
    line_prefixes: dict[str, str] = field(default_factory=dict)
    datelines: str = ""
    dateline_openings: str = ""
    credits: str = ""
    cues: Cues = field(default_factory=Cues)

    def __post_init__(self):
        # An abbreviated month is also an abbreviation before a number (``oct. 2024``).
        object.__setattr__(self, "before_number", self.before_number | self.month_abbreviations)

    @property
    def title_like(self) -> frozenset[str]:
        return self.titles | self.titles_unless_number | self.never_final

    def line_role(self, line: str) -> str | None:
        """The role a line's start marks in this language (``"Lees ook: ..."`` -> ``"boilerplate"``),
        ``"byline"`` for a line that is a dateline or only a date in this language's month names
        (``sexta-feira, 22 de outubro de 2010 às 20:13``, ``12. März 2024``), or None."""
        patterns = _compiled(self)
        for role, pattern in patterns.prefixes.items():
            if pattern.match(line):
                return role
        if patterns.date_line is not None and patterns.date_line.match(line):
            return "byline"
        return self.sentence_role(line)

    def sentence_role(self, sentence: str) -> str | None:
        """``"byline"`` when ``sentence`` is only a dateline (``Madrid, 12 oct. (EFE).-``), else None."""
        dateline = _compiled(self).dateline
        return "byline" if dateline is not None and dateline.fullmatch(sentence) else None

    def dateline_end(self, sentence: str) -> int:
        """Where a dateline that opens ``sentence`` ends (after its dash and the spaces after it), or 0.

        >>> rules_for("en").dateline_end("LONDON, Oct 5 (Reuters) - The minister said so.")
        26
        """
        opening = _compiled(self).dateline_opening
        found = opening.match(sentence) if opening is not None else None
        return found.end() if found and sentence[found.end():].strip() else 0

    def has_credit(self, line: str) -> bool:
        """Whether ``line`` ends with one of this language's agency credits (``... EFE/Mariscal``)."""
        credit = _compiled(self).credit
        return credit is not None and credit.search(line) is not None


@dataclass(frozen=True)
class _Patterns:
    prefixes: dict[str, re.Pattern]
    dateline: re.Pattern | None
    dateline_opening: re.Pattern | None
    date_line: re.Pattern | None
    credit: re.Pattern | None


_PATTERNS: dict[str, _Patterns] = {}


def _compiled(rules: LanguageRules) -> _Patterns:
    if rules.code not in _PATTERNS:
        _PATTERNS[rules.code] = _Patterns(
            prefixes={role: re.compile(rf"^(?:{pattern})", re.IGNORECASE) for role, pattern in rules.line_prefixes.items()},
            dateline=re.compile(rules.datelines, re.IGNORECASE) if rules.datelines else None,
            dateline_opening=re.compile(rules.dateline_openings, re.IGNORECASE) if rules.dateline_openings else None,
            date_line=_date_line(rules.months | rules.month_abbreviations) if rules.months else None,
            credit=re.compile(rf"(?:^|[.!?\u00bb\u201d\"]\s+|\s\(|\s[|\u2013\u2014-]\s*)(?:{rules.credits})\s*/\s*[^()/]{{1,60}}\)?\.?$", re.IGNORECASE)
            if rules.credits else None,
        )
    return _PATTERNS[rules.code]


def _date_line(months: frozenset[str]) -> re.Pattern:
    """A line that is only a date written with ``months``, after a weekday, before a time:
    ``sexta-feira, 22 de outubro de 2010 às 20:13``, ``Dienstag, 12. März 2024``, ``5 تشرين الأول 2023``,
    ``octobre 3, 2024``. A sentence that goes on after the date is not one."""
    word = r"[^\W\d_]+"
    day, year, month = r"\d{1,2}\.?", r"\d{4}", rf"(?:{_alternatives(months)})\.?"
    date = rf"(?:{day}\s+(?:de\s+|del\s+)?{month}\s+(?:de\s+|del\s+)?,?\s*{year}|{month}\s+{day},?\s+{year})"
    clock = rf"(?:\s*[,|\u2013\u2014-]?\s*(?:{word}\s+){{0,2}}\d{{1,2}}[:.h]\d{{2}}(?:\s*(?:h|uhr|horas?|hrs?))?)?"
    return re.compile(rf"^(?:{word}(?:-{word})?,?\s+)?{date}{clock}\s*$", re.IGNORECASE)


def _alternatives(words: frozenset[str]) -> str:
    """A regular expression of any of ``words``, the longest first, a space matching any whitespace."""
    return "|".join(r"\s+".join(map(re.escape, word.split())) for word in sorted(words, key=lambda w: (-len(w), w)))


def _datelines(place: str, date: str, after_dash: str = "") -> dict[str, str]:
    """The ``datelines`` and ``dateline_openings`` of :class:`LanguageRules`.

    A whole dateline is a ``place``, then a ``date``, a news agency in brackets or both, then
    a dash, which may be followed by one of the agencies ``after_dash``: ``Madrid, 12 oct.
    (EFE).-``, ``MADRID, 12 (EUROPA PRESS)``, ``Den Haag (ANP) -``, ``عمّان، 5 تشرين الأول (بترا) -``
    and ``عمان - بترا`` are datelines; a place alone is not. An opening is a dateline with its
    dash before the rest of a sentence; a place and a dash alone (``El Gobierno - que ...``)
    is not one.
    """
    agency = r"\s*\([^()\n]{1,30}\)"
    dash = r"\s*\.?\s*[-\u2013\u2014]"
    after = rf"(?:\s*(?:{after_dash}))?" if after_dash else ""
    openings = rf"(?:{place})(?:(?:{date})(?:{agency})?|{agency}){dash}{after}"
    if after_dash:
        openings += rf"|(?:{place}){dash}\s*(?:{after_dash}){dash}"
    return {
        "datelines": rf"(?:{place})(?:(?:{date})(?:{agency})?(?:{dash})?|(?:{agency})?{dash}{after})",
        "dateline_openings": rf"(?:{openings})\s*",
    }


# -- English: the lists the splitter and the scorer have always used ------------------------------

_EN_MONTHS = _words("january february march april may june july august september october november december")
_EN_MONTH_ABBREVIATIONS = _words("jan feb mar apr jun jul aug sep sept oct nov dec")

ENGLISH = LanguageRules(
    code="en",
    titles=_words(
        "mr mrs ms mx dr prof gov sen rep gen lt col capt cpt sgt maj adm cmdr cdr rev fr hon pres supt "
        "insp det st mt ft messrs mme mlle sr jr"
    ),
    never_final=_words("e.g i.e v vs cf viz b d ca c"),
    before_number=_words("no n\u00b0 nos vol p pp fig figs art sec ch para tel ca approx est"),
    month_abbreviations=_EN_MONTH_ABBREVIATIONS,
    starters=_words(
        "A An The In On At As It Its He She They We I You But And Or So Yet This That These Those There Then "
        "Here When While If Although Though Because Since After Before During For From With Without What Who "
        "Why How Where Which His Her Their Our My Your Some Many Most All No Not One Two Three Meanwhile "
        "However Still Also Such Both Each Every Last Earlier Later Now Today Yesterday"
    ),
    # LONDON, Oct 5 (Reuters) - | WASHINGTON (AP) — | NEW YORK, January 3, 2024 (AP) -
    **_datelines(
        place=r"(?-i:[A-Z][A-Z.'-]+)(\s+(?-i:[A-Z][A-Z.'-]+)){0,3}",
        date=r"\s*,\s*(" + _alternatives(_EN_MONTHS | _EN_MONTH_ABBREVIATIONS) + r")\b\.?\s+\d{1,2}(,?\s+\d{4})?",
    ),
)

# -- Spanish --------------------------------------------------------------------------------------

_ES_MONTHS = _words("enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre")
_ES_MONTH_ABBREVIATIONS = _words("ene feb mar abr may jun jul ago sep sept oct nov dic")

SPANISH = LanguageRules(
    code="es",
    titles=_words("sr sra srta sres sras dr dra dres lic lcdo lcda ing arq gral cnel tte sto sta fr mons excmo excma ilmo ilma dña prof profa"),
    never_final=_words("ee uu ee.uu aa.ee ss.mm p.ej pág págs núm art arts av avda pza"),
    before_number=_words("pág págs p pp núm n nº art arts cap vol tel km"),
    month_abbreviations=_ES_MONTH_ABBREVIATIONS,
    months=_ES_MONTHS,
    starters=_words(
        "El La Los Las Un Una Unos Unas En Con Por Para Pero Y O Sin Según Este Esta Estos Estas Ese Esa Eso "
        "Ello Él Ella Ellos Ellas Yo Nosotros Se Su Sus No Ya Así Además También Sin Desde Hoy Ayer Mañana"
    ),
    line_prefixes={
        "boilerplate": r"(lea|leer|lee) (también|más)\b|noticias relacionadas$|te puede interesar\b|publicidad$|comparte? (esta|en)\b|compartir\b"
        r"|suscr[ií]bete\b|s[ií]guenos\b|m[aá]s le[ií]d[ao]s$|etiquetas:"
        r"|(utilizamos|usamos) cookies\b|aceptar( todas| todo| las)?( las)? cookies\b|aceptar todo$|rechazar todo$",
        "caption": r"(foto|fotograf[ií]a|imagen|v[ií]deo)s?\s*:|(foto|fotograf[ií]a|imagen)(es)?\s+de\s+archivo\b",
        "byline": r"por\s+(?-i:[A-ZÁÉÍÓÚÑ][\w.'-]+(\s+(de|del|la|y|[A-ZÁÉÍÓÚÑ][\w.'-]+)){0,4})\s*$"
        r"|(por\s+(la\s+)?)?redacci[oó]n(\s*[/,|\u2013-]\s*[^\s/,|]+(\s+[^\s/,|]+){0,2})?\s*$|(efe|europa press|agencias)\s*$",
    },
    # Madrid, 12 oct. (EFE).- | MADRID, 12 (EUROPA PRESS) | Bogotá, 3 de mayo de 2024 (EFE).-
    **_datelines(
        place=r"(?-i:[A-ZÁÉÍÓÚÑ][\w'.-]*)(\s+(de|del|la|las|los|el|(?-i:[A-ZÁÉÍÓÚÑ][\w'.-]*))){0,3}",
        date=rf"\s*,\s*((lunes|martes|miércoles|jueves|viernes|sábado|domingo)\s+)?\d{{1,2}}(\s+de)?(\s+({_alternatives(_ES_MONTHS | _ES_MONTH_ABBREVIATIONS)})\b\.?)?(\s+(de\s+)?\d{{4}})?",
    ),
    credits=r"EFE|Europa Press|Agencias|Reuters|AFP|AP|EPA|Getty Images|Cordon Press|Xinhua",
    cues=Cues(
        number=_words("cien cientos mil miles millón millones billón billones docena docenas mitad doble triple porcentaje"),
        comparison=_words("récord máximo mínimo mayor menor aumentó aumento subió bajó cayó creció disminuyó duplicó triplicó primero primera único única"),
        attribution=_words("dijo dice afirmó aseguró declaró anunció informó según confirmó negó estimó reveló acusó admitió advirtió denunció"),
        hedge=_words("podría quizás quizá tal vez posiblemente probablemente puede"),
        opinion=_words("creo pienso opino siento"),
    ),
)

# -- Dutch ----------------------------------------------------------------------------------------

_NL_MONTHS = _words("januari februari maart april mei juni juli augustus september oktober november december")
_NL_MONTH_ABBREVIATIONS = _words("jan feb mrt apr jun jul aug sep sept okt nov dec")

DUTCH = LanguageRules(
    code="nl",
    titles=_words("mr dhr mevr mw mej dr drs ir ing prof ds st"),
    never_final=_words("o.a d.w.z m.a.w t.a.v i.p.v z.g.a.n e.a a.s j.l jl bijv bv b.v i.v.m m.b.t n.a.v t.o.v v.w.b z.s.m zgn evt ca resp vs"),
    before_number=_words("blz nr nrs art afb hfst tel"),
    month_abbreviations=_NL_MONTH_ABBREVIATIONS,
    months=_NL_MONTHS,
    starters=_words(
        "De Het Een In Op Met Voor Maar En Of Dat Die Dit Deze Er Hij Zij Ze Wij We Ik Je U Het Als Toen Nu "
        "Ook Bij Na Door Volgens Daarna Daarom Toch Zo Wat Wie Waar Hoe Waarom"
    ),
    line_prefixes={
        "boilerplate": r"lees (ook|meer)\b|meer over\b|gerelateerde artikelen$|deel (dit|via)\b|advertentie$|abonneer\b|volg ons\b|tags?:"
        r"|(wij|we) gebruiken cookies\b|(alle )?cookies accepteren\b|accepteer (alle|cookies)\b",
        "caption": r"(foto|beeld|afbeelding|video)s?\s*:|archief(foto|beeld)\b",
        "byline": r"door(\s*:\s*|\s+)(?-i:[A-Z][\w.'-]+(\s+(van|de|der|den|[A-Z][\w.'-]+)){0,4})\s*$"
        r"|(door|van)\s+(de\s+redactie|onze\s+(eigen\s+)?(redacteur|redactie|correspondent|verslaggever|medewerker)s?)"
        r"(\s+(in|te|uit|van|de|der|den|(?-i:[A-Z][\w.'-]*)))*\s*$|(anp|redactie)\s*$",
    },
    # Den Haag, 12 okt. (ANP) - | Amsterdam (ANP) -
    **_datelines(
        place=r"('s-)?(?-i:[A-Z][\w'.-]*)(\s+(aan|op|den|de|der|van|(?-i:[A-Z][\w'.-]*))){0,3}",
        date=rf"\s*,?\s*\d{{1,2}}\s+({_alternatives(_NL_MONTHS | _NL_MONTH_ABBREVIATIONS)})\b\.?(\s+\d{{4}})?",
    ),
    credits=r"ANP|Hollandse Hoogte|Belga|Reuters|AFP|AP|EPA|Getty Images",
    cues=Cues(
        number=_words("honderd honderden duizend duizenden miljoen miljoenen miljard miljarden dozijn helft dubbel procent"),
        comparison=_words("record hoogste laagste grootste kleinste meeste minste stijging daling steeg daalde groeide verdubbelde eerste enige"),
        attribution=_words("zei zegt verklaarde meldde kondigde stelde bevestigde ontkende schatte onthulde beschuldigde waarschuwde volgens"),
        hedge=_words("misschien mogelijk waarschijnlijk wellicht zou zouden"),
        opinion=_words("vind denk geloof meen"),
    ),
)

# -- Arabic ---------------------------------------------------------------------------------------

#: Month names of two words (the Levantine ``تشرين الأول``, ``كانون الثاني`` and the Hijri ``ربيع الأول``,
#: ``جمادى الأولى``...) are one entry each, so that the scorer does not read their ``الأول`` ("the first")
#: as a comparison.
_AR_MONTHS = _words(
    "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين"
) | {f"{first} {second}" for first, second in (
    ("تشرين", "الأول"), ("تشرين", "الثاني"), ("كانون", "الأول"), ("كانون", "الثاني"), ("ربيع", "الأول"), ("ربيع", "الثاني"),
    ("ربيع", "الآخر"), ("جمادى", "الأولى"), ("جمادى", "الآخرة"), ("جمادى", "الثانية"), ("ذو", "القعدة"), ("ذو", "الحجة"),
)}
#: Arabic letters and their diacritics (a shadda, as in ``عمّان``, is not a word character to ``\w``).
_AR_WORD = r"[\u0620-\u065f\u0670-\u06d3\u06fa-\u06ff]+"
#: News agencies named after the dash of a dateline (``عمان - بترا``).
_AR_AGENCIES = r"بترا|رويترز|[أا]\s?ف\s?ب|د\s?ب\s?[أا]|وام|واس|قنا|كونا|سانا|الأناضول|شينخوا|وكالات"

ARABIC = LanguageRules(
    code="ar",
    # د. (doctor) and م. (engineer) before a name; after a number they are a unit (dinar, minute) or "AD".
    titles=_words("أ.د"),
    titles_unless_number=_words("د م أ"),
    months=_AR_MONTHS,
    line_prefixes={
        "boilerplate": r"(اقرأ|إقرأ) (أيضا|أيضاً|المزيد)|(مواضيع|أخبار) ذات صلة|شارك (هذا|على)|تابعونا|إعلان$|الكلمات المفتاحية"
        r"|(نستخدم|يستخدم هذا الموقع) (ملفات تعريف الارتباط|الكوكيز)",
        "caption": r"(صورة|الصورة|فيديو|تصوير)\s*[:：]|\(?(صورة|الصورة)\s+(أرشيفية|ارشيفية|من\s+الأرشيف)\)?\s*$",
        "byline": r"(بقلم|كتب|كتبت)\s*[:：]?\s*\S+(\s+\S+){0,3}\s*$",
    },
    # عمّان، 5 تشرين الأول (بترا) - | عمان - بترا | القاهرة (رويترز) -
    **_datelines(
        place=rf"{_AR_WORD}(\s+{_AR_WORD}){{0,2}}",
        date=rf"\s*[،,]\s*\d{{1,2}}\s+({_alternatives(_AR_MONTHS)})(\s+\d{{4}})?",
        after_dash=_AR_AGENCIES,
    ),
    cues=Cues(
        number=_words("مئة مائة مئات ألف آلاف مليون ملايين مليار مليارات نصف ضعف بالمئة بالمائة المئة المائة"),
        comparison=_words("قياسي أعلى أدنى أكبر أصغر أكثر أقل ارتفع ارتفعت ارتفاع انخفض انخفضت انخفاض زاد زادت زيادة تراجع تراجعت نما نمت الأول الوحيد"),
        attribution=_words("قال قالت أعلن أعلنت أكد أكدت صرح صرحت أفاد أفادت ذكر ذكرت نفى نفت وفقا حسب كشف كشفت"),
        hedge=_words("ربما يمكن محتمل"),
        opinion=_words("أعتقد أظن أرى رأيي رايي اعتقادي"),
    ),
)

# -- German, French, Portuguese, Italian: abbreviations, months and the line prefixes of bylines, captions, boilerplate ---------------------------

GERMAN = LanguageRules(
    code="de",
    titles=_words("hr hrn fr dr prof dipl ing st"),
    never_final=_words("z.b z usw u.a d.h bzw ca evtl ggf inkl vgl sog u.ä o.ä s.o s.u zzgl gem"),
    before_number=_words("nr s abs art bd kap tel"),
    month_abbreviations=_words("jan feb märz apr jun jul aug sep sept okt nov dez"),
    months=_words("januar jänner februar märz april mai juni juli august september oktober november dezember"),
    line_prefixes={
        "boilerplate": r"(lesen sie|lies) (auch|mehr)\b|mehr zum thema\b|das k[öo]nnte sie auch interessieren\b"
        r"|((artikel|beitrag|seite)\s+)?(teilen|drucken|versenden)\s*$|teilen (auf|per|via)\b|anzeige$|werbung$|abonnieren\b"
        r"|folgen sie uns\b|schlagw[öo]rter\s*:|themen\s*:"
        r"|wir (verwenden|nutzen) cookies\b|alle (akzeptieren|ablehnen)$|cookies (akzeptieren|zulassen)\b",
        "caption": r"(foto|bild|video|grafik)s?\s*:|archiv(bild|foto)\b",
        "byline": r"von\s+(?-i:[A-ZÄÖÜ][\w.'-]+(\s+(von|van|der|zu|und|[A-ZÄÖÜ][\w.'-]+)){0,4})\s*$"
        r"|(ver[öo]ffentlicht|aktualisiert|stand)\s*(am\s*)?:?\s*\d",
    },
    starters=_words("Der Die Das Ein Eine Er Sie Es Wir Ich Im In Am Auf Mit Für Aber Und Oder Dies Diese Dieser Nach Vor Seit Auch Nun Heute"),
)

FRENCH = LanguageRules(
    code="fr",
    titles=_words("m mm mme mmes mlle mlles dr pr mgr st ste"),
    never_final=_words("cf p.ex av bd env"),
    before_number=_words("p pp n no art chap vol tél"),
    month_abbreviations=_words("janv févr avr juil sept oct nov déc"),
    months=_words("janvier février mars avril mai juin juillet août septembre octobre novembre décembre"),
    line_prefixes={
        "boilerplate": r"([àa] )?lire aussi\b|voir aussi\b|sur le m[êe]me sujet\b|(partager|partagez)( (cet|l'|sur)\b.*)?$"
        r"|publicit[ée]$|abonnez-vous\b|suivez-nous\b|mots-cl[ée]s\s*:|tags?\s*:"
        r"|nous utilisons des cookies\b|tout (accepter|refuser)$|accepter (et fermer|les cookies)\b",
        "caption": r"(photo|image|vid[ée]o|illustration|cr[ée]dit)s?\s*:",
        "byline": r"par\s+(?-i:[A-ZÉÈÀÂÎÔÛÇ][\w.'-]+(\s+(de|du|la|le|et|[A-ZÉÈÀÂÎÔÛÇ][\w.'-]+)){0,4})"
        r"(\s*,\s*(le\s+)?\d{1,2}(er)?\s+\w+\.?\s+\d{4}.{0,25})?\s*$|(publi[ée]|mis [àa] jour)\s+le\s+\d",
    },
    starters=_words("Le La Les Un Une Des Il Elle Ils Elles Nous Je On En Dans Sur Avec Pour Mais Et Ou Ce Cette Ces Selon Depuis Après Avant Aujourd'hui"),
)

PORTUGUESE = LanguageRules(
    code="pt",
    titles=_words("sr sra srta dr dra drs prof profa eng gen cel ten sto sta exmo exma"),
    never_final=_words("p.ex pág págs núm art av"),
    before_number=_words("pág págs p pp n nº núm art cap vol tel"),
    month_abbreviations=_words("jan fev mar abr mai jun jul ago set out nov dez"),
    months=_words("janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro"),
    line_prefixes={
        "boilerplate": r"leia (tamb[ée]m|mais)\b|veja (tamb[ée]m|mais)\b|saiba mais\b|(compartilhe|partilhe)\b|(compartilhar|partilhar)\s*$"
        r"|publicidade$|assine\b|siga-nos\b|not[íi]cias relacionadas$|mais lid[ao]s$|tags?\s*:"
        r"|(utilizamos|usamos) cookies\b|aceitar( todos| os)? cookies\b|aceitar todos$",
        "caption": r"(foto|imagem|v[íi]deo)s?\s*:|foto de arquivo\b",
        "byline": r"por\s+(?-i:[A-ZÁÉÍÓÚÂÊÔÃÕÇ][\w.'-]+(\s+(de|da|do|dos|das|e|[A-ZÁÉÍÓÚÂÊÔÃÕÇ][\w.'-]+)){0,4})\s*$"
        r"|(publicad[oa]|atualizad[oa])\s+(em|a)\s+\d",
    },
    starters=_words("O A Os As Um Uma Em No Na Com Por Para Mas E Ou Este Esta Esse Essa Ele Ela Eles Elas Eu Nós Segundo Desde Hoje"),
)

ITALIAN = LanguageRules(
    code="it",
    titles=_words("sig sigg sig.ra dott dott.ssa prof prof.ssa ing avv on arch geom rag gen col cap mons"),
    never_final=_words("es pag pagg art artt ca"),
    before_number=_words("pag pagg p pp n nr art artt cap vol tel"),
    month_abbreviations=_words("gen feb mar apr mag giu lug ago set ott nov dic"),
    months=_words("gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"),
    line_prefixes={
        "boilerplate": r"(leggi|vedi) anche\b|potrebbe interessarti\b|condividi\b|pubblicit[àa]$|iscriviti\b|seguici\b"
        r"|articoli correlati$|tag\s*:"
        r"|(utilizziamo|usiamo) (i )?cookie\b|accetta (tutti|i cookie)\b|rifiuta tutti$",
        "caption": r"(foto|immagine|video)s?\s*:|foto d'archivio\b",
        "byline": r"di\s+(?-i:[A-Z][\w.'-]+(\s+(de|di|del|della|e|[A-Z][\w.'-]+)){0,4})\s*$|(pubblicato|aggiornato)\s+(il\s+)?\d",
    },
    starters=_words("Il Lo La I Gli Le Un Una Uno In Con Per Ma E O Questo Questa Quello Quella Lui Lei Loro Io Noi Secondo Da Oggi"),
)


def _with_english(rules: LanguageRules) -> LanguageRules:
    """``rules`` with the English abbreviations, titles and starters added (English news words occur everywhere)."""
    return replace(
        rules,
        titles=rules.titles | ENGLISH.titles,
        never_final=rules.never_final | ENGLISH.never_final,
        before_number=rules.before_number | ENGLISH.before_number,
        month_abbreviations=rules.month_abbreviations | ENGLISH.month_abbreviations,
        starters=rules.starters | ENGLISH.starters,
    )


_RULES = {rules.code: _with_english(rules) if rules is not ENGLISH else rules
          for rules in (ENGLISH, SPANISH, DUTCH, ARABIC, GERMAN, FRENCH, PORTUGUESE, ITALIAN)}

#: Languages with rules of their own; any other language is split and scored with the English rules.
SUPPORTED = tuple(sorted(_RULES))

#: Languages whose heuristic scorer has cue words of its own (the others use only language-independent cues).
WITH_CUES = tuple(sorted(code for code, rules in _RULES.items() if rules.cues.attribution or code == "en"))


def rules_for(language: str | None) -> LanguageRules:
    """The rules of ``language``; English for None or a language without rules of its own.

    Examples
    --------
    >>> rules_for("nl").code, rules_for("sv").code, rules_for(None).code
    ('nl', 'en', 'en')
    """
    return _RULES.get(language or "en", ENGLISH)
