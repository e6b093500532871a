"""News forms of Spanish, Dutch and Arabic that are not sentences to label: datelines,
bylines, photo credits (roles); Arabic titles before names (splitting); and the Arabic
scorer cues that month names, opinions and Arabic-Indic digits used to confuse."""

from __future__ import annotations

import pytest

from checkworthy.builder.select import HeuristicScorer, score_sentences
from checkworthy.builder.split import get_segmenter, line_role, segment, split_article
from checkworthy.builder.tasks import make_tasks
from checkworthy.schemas.records import Article, Sentence

# -- Arabic titles ---------------------------------------------------------------------------------

SPLIT_CASES = [
    # A title before a name goes on: د. (doctor), أ.د. (professor doctor), م. (engineer), أ. (professor).
    ("قال د. أحمد إن النمو بلغ 3.5 بالمئة. وأضاف أن الصادرات زادت.", ["قال د. أحمد إن النمو بلغ 3.5 بالمئة.", "وأضاف أن الصادرات زادت."]),
    ("وقال أ.د. محمد علي إن الأمر صعب. ثم غادر.", ["وقال أ.د. محمد علي إن الأمر صعب.", "ثم غادر."]),
    ("قال م. خالد إن الجسر جاهز. ونجح أ. محمد.", ["قال م. خالد إن الجسر جاهز.", "ونجح أ. محمد."]),
    # After a number م. is "AD" and د. a dinar: the sentence may end there.
    ("تأسست المدينة عام 1950 م. وتضم اليوم مليون نسمة.", ["تأسست المدينة عام 1950 م.", "وتضم اليوم مليون نسمة."]),
    ("بلغ السعر ٥ د. وهذا مرتفع.", ["بلغ السعر ٥ د.", "وهذا مرتفع."]),
]


@pytest.mark.parametrize("segmenter", ["blingfire", "rules"])
@pytest.mark.parametrize(("text", "expected"), SPLIT_CASES, ids=["doctor", "professor-doctor", "engineer-professor", "year-AD", "dinar"])
def test_arabic_titles_do_not_end_a_sentence(segmenter, text, expected):
    spans = segment(text, get_segmenter(segmenter), language="ar")
    assert [text[a:b] for a, b in spans] == expected


def test_arabic_title_keeps_exact_offsets():
    text = "النمو\n\nقال د. أحمد إن النمو بلغ 3.5 بالمئة. وأضاف أن الصادرات زادت."
    sentences = split_article(Article("a1", text, title="النمو", language="ar"))
    assert [s.text for s in sentences] == ["النمو", "قال د. أحمد إن النمو بلغ 3.5 بالمئة.", "وأضاف أن الصادرات زادت."]
    assert all(text[s.start : s.end] == s.text for s in sentences)


# -- datelines, bylines and credits ----------------------------------------------------------------

ROLE_CASES = [
    # datelines on a line of their own
    ("es", "Madrid, 12 oct (EFE).-", "byline"),
    ("es", "Madrid, 12 oct. (EFE).-", "byline"),
    ("es", "MADRID, 12 (EUROPA PRESS)", "byline"),
    ("es", "Bogotá, 3 de mayo de 2024 (EFE).-", "byline"),
    ("nl", "Den Haag, 12 okt. (ANP) -", "byline"),
    ("ar", "عمّان، 5 تشرين الأول (بترا) -", "byline"),
    ("ar", "عمان - بترا", "byline"),
    ("ar", "القاهرة (رويترز) -", "byline"),
    # bylines
    ("es", "Por la Redacción", "byline"),
    ("es", "Redacción / Agencias", "byline"),
    ("nl", "Door de redactie", "byline"),
    ("nl", "Door onze redacteur", "byline"),
    ("nl", "Van onze correspondent in Brussel", "byline"),
    ("nl", "Door: Jan de Vries", "byline"),
    ("en", "By our reporter", "byline"),
    ("es", "By our reporter", "byline"),  # the English patterns hold in every language
    # captions and agency credits
    ("es", "Imagen de archivo.", "caption"),
    ("es", "EFE/Mariscal", "caption"),
    ("es", "El presidente del Gobierno, durante su intervención. EFE/Mariscal", "caption"),
    ("nl", "Premier Rutte in Den Haag. ANP/Robin Utrecht", "caption"),
    ("ar", "(صورة أرشيفية)", "caption"),
    # near-misses: body sentences that start like a byline, a dateline or a credit
    ("es", "Por la mañana, el paro bajó un 3%.", "body"),
    ("nl", "Door de regen stegen de prijzen.", "body"),
    ("nl", "Door onze fouten is het misgegaan.", "body"),
    ("en", "By our estimates, 5% of voters stayed home.", "body"),
    ("es", "Madrid es la capital.", "body"),
    ("es", "Real Madrid, 3 - Barcelona, 1", "body"),
    ("es", "El Gobierno (PSOE) ganó las elecciones.", "body"),
    ("es", "La noticia fue difundida por EFE/Europa Press.", "body"),
    ("ar", "ارتفع معدل البطالة - بحسب الإحصاءات", "body"),
    ("ar", "نعم - لا", "body"),
    # German, French, Portuguese, Italian (and two more Spanish and English forms), from a user trial
    ("de", "Von Anna Schmidt", "byline"),
    ("de", "Foto: dpa", "caption"),
    ("de", "Lesen Sie auch: Inflation steigt", "boilerplate"),
    ("de", "Artikel teilen", "boilerplate"),
    ("de", "Von den 300 Befragten sagten 40 Prozent, sie seien zufrieden.", "body"),
    ("fr", "Par Jean Dupont, le 12 mars 2024 à 10h15", "byline"),
    ("fr", "Lire aussi : L'inflation ralentit", "boilerplate"),
    ("fr", "Partager cet article", "boilerplate"),
    ("fr", "Par ailleurs, le chômage a baissé de 2 %.", "body"),
    ("pt", "Por João Silva", "byline"),
    ("pt", "Leia também: Inflação sobe", "boilerplate"),
    ("pt", "Compartilhe esta notícia", "boilerplate"),
    ("pt", "Por causa da chuva, o jogo foi adiado.", "body"),
    ("it", "di Mario Rossi", "byline"),
    ("it", "Leggi anche: il governo", "boilerplate"),
    ("it", "Di fronte alla crisi, il governo ha deciso.", "body"),
    ("es", "Compartir en Facebook", "boilerplate"),
    ("en", "Last updated: 12 May 2023, 14:05 BST", "byline"),
    # teasers and page furniture
    ("en", "Related: The 15 Weirdest Galaxies in Our Universe", "boilerplate"),
    ("en", "SEE MORE: Hong Kong protests turn violent", "boilerplate"),
    ("en", "DON'T MISS", "boilerplate"),
    ("en", "Print Article", "boilerplate"),
    ("en", "This copy is for your personal, non-commercial use only.", "boilerplate"),
    ("en", "An error has occurred, please try again later.", "boilerplate"),
    ("en", "More than 300 firefighters are fighting the blaze.", "body"),
    ("en", "Related research found a 5% rise in 2019.", "body"),
    # cookie consent banners and pages
    ("en", "We use cookies and data to deliver and maintain services.", "boilerplate"),
    ("en", "Accept all", "boilerplate"),
    ("en", "More options", "boilerplate"),
    ("en", "Accepting all the evidence, the court ruled for the city.", "body"),
    ("es", "Utilizamos cookies propias y de terceros.", "boilerplate"),
    ("nl", "Wij gebruiken cookies om de site te verbeteren.", "boilerplate"),
    ("de", "Wir verwenden Cookies, um Inhalte zu personalisieren.", "boilerplate"),
    ("fr", "Tout accepter", "boilerplate"),
    ("pt", "Utilizamos cookies para melhorar a sua experiência.", "boilerplate"),
    ("it", "Utilizziamo i cookie per migliorare il sito.", "boilerplate"),
    ("ar", "نستخدم ملفات تعريف الارتباط لتحسين تجربتك.", "boilerplate"),
]


@pytest.mark.parametrize(("language", "line", "role"), ROLE_CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(ROLE_CASES)])
def test_news_forms_have_their_roles(language, line, role):
    assert line_role(line, language=language) == role


def test_a_dateline_cut_from_its_paragraph_is_no_task():
    text = ("El paro baja\nMadrid, 12 oct. (EFE).- El paro bajó un 3% en septiembre, según el INE.\n"
            "Por la mañana, el paro bajó un 3%.\nImagen de archivo. EFE/Mariscal")
    article = Article("a1", text, title="El paro baja", language="es")
    sentences = split_article(article)
    assert [(s.role, s.text) for s in sentences] == [
        ("headline", "El paro baja"),
        ("byline", "Madrid, 12 oct. (EFE).-"),
        ("body", "El paro bajó un 3% en septiembre, según el INE."),
        ("body", "Por la mañana, el paro bajó un 3%."),
        ("caption", "Imagen de archivo."),
        ("caption", "EFE/Mariscal"),
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert sentences[2].context["before"] == ""  # the dateline is not the body's context
    made = make_tasks([article], score_sentences(sentences, article), "claimbuster")
    assert [t["data"]["sentence"] for t in made] == ["El paro bajó un 3% en septiembre, según el INE.", "Por la mañana, el paro bajó un 3%."]


def test_an_english_dateline_inside_its_sentence_stays_body():
    text = "KESSRIN, Oct. 27 - The army said 5 people died."
    assert [(s.role, s.text) for s in split_article(Article("a1", text, language="en"))] == [("body", text)]


# -- Arabic cues -----------------------------------------------------------------------------------


def _reason(text: str) -> str:
    sentence = Sentence("a1:x", "a1", 0, 0, len(text), text, "body", language="ar")
    return HeuristicScorer().score([sentence], Article("a1", text))[0][1]


@pytest.mark.parametrize(
    ("text", "cue", "absent"),
    [
        # الأول ("the first") in a month's name is part of a date, not a comparison
        ("افتتح المعرض في 5 تشرين الأول.", "date (تشرين الأول)", "comparison"),
        ("صدر القرار في كانون الأول الماضي.", "date (كانون الأول)", "comparison"),
        ("بدأ العمل في ربيع الأول.", "date (ربيع الأول)", "comparison"),
        ("حل الفريق في المركز الأول.", "comparison (الأول)", "date"),  # outside a month it is still a comparison
        ("في رأيي، يجب على الحكومة التحرك فورا.", "first-person opinion (رأيي)", "no cue found"),
        ("برأيي، يجب على الحكومة التحرك.", "first-person opinion (رأيي)", "no cue found"),  # the prefix ب
        ("ارتفعت الأسعار في عام ٢٠٢٣.", "date (٢٠٢٣)", "no cue found"),  # Arabic-Indic digits
        ("ارتفعت الأسعار في عام 2023.", "date (2023)", "no cue found"),
        ("بلغ عدد الزوار ١٢٣٤٥ زائرا.", "quantity (١٢٣٤٥)", "date"),  # five digits: not a year
        ("في رأيِي، يجب على الحكومة التحرّك فورا.", "first-person opinion (رأيي)", "no cue found"),  # with a kasra
        ("قالَ الوزيرُ إنّ الخطة ستنجح.", "attribution (قال)", "no cue found"),  # with fatha, damma and shadda
    ],
    ids=["tishrin", "kanun", "rabi", "first-place", "opinion", "opinion-prefix", "arabic-indic-year", "year", "not-a-year",
         "opinion-with-tashkeel", "attribution-with-tashkeel"],
)
def test_arabic_cues(text, cue, absent):
    reason = _reason(text)
    assert cue in reason and absent not in reason, reason


# -- datelines that open a sentence are no cues ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "reason"),
    [
        # the dateline's day is no quantity, its month no date, its place and agency no named entities
        ("en", "LONDON, Oct 5 (Reuters) - The minister said the plan would help families.", "attribution (said)"),
        ("en", "KESSRIN, Jan. 14 - Patients waited an average of 3.2 hours, down from 4.1 hours.",
         "quantity (3.2); comparison (down from)"),  # nor is the sentence's first word a name
        ("en", "NEW YORK, January 3, 2024 (AP) - The mayor said crime fell by 9% in Brooklyn.",
         "quantity (9%); comparison (fell); attribution (said); named entities (Brooklyn)"),
        ("ar", "عمّان، 5 تشرين الأول (بترا) - قال الوزير إن الخطة ستساعد العائلات.", "language ar: attribution (قال)"),
        ("ar", "عمان - بترا - قال الوزير إن الخطة ستساعد العائلات كثيرا.", "language ar: attribution (قال)"),
        ("nl", "Den Haag, 12 okt. (ANP) - Het kabinet zei dat de plannen doorgaan.", "language nl: attribution (zei)"),
        # a place and a dash alone open no dateline: the names stay cues
        ("en", "LONDON - NATO leaders met for the third time in Brussels.", "named entities (NATO, Brussels)"),
        ("es", "El Gobierno - que preside Sánchez - aprobó 3 leyes.", "language es: quantity (3); named entities (Gobierno, Sánchez)"),
    ],
    ids=["en-agency", "en-date", "en-year", "ar-date-agency", "ar-agency-after-dash", "nl", "en-place-only", "es-place-only"],
)
def test_a_dateline_opening_a_sentence_gives_no_cues(language, text, reason):
    sentence = Sentence("a1:x", "a1", 0, 0, len(text), text, "body", language=language)
    assert HeuristicScorer().score([sentence], Article("a1", text))[0][1] == reason


def test_an_english_dateline_on_its_own_line_is_a_byline():
    text = "Markets calm\nLONDON, Oct 5 (Reuters) -\nShares rose 2% on Monday, traders said."
    roles = [(s.role, s.text) for s in split_article(Article("a1", text, title="Markets calm", language="en"))]
    assert roles == [("headline", "Markets calm"), ("byline", "LONDON, Oct 5 (Reuters) -"), ("body", "Shares rose 2% on Monday, traders said.")]


@pytest.mark.parametrize(
    ("language", "line", "role"),
    [
        # a line that is only a date (and a time) in the language's month names: a byline, as in English
        ("pt", "sexta-feira, 22 de outubro de 2010 às 20:13", "byline"),
        ("de", "Dienstag, 12. März 2024", "byline"),
        ("de", "12. März 2024, 14:30 Uhr", "byline"),
        ("fr", "lundi 3 octobre 2024 à 10h30", "byline"),
        ("es", "12 de mayo de 2024", "byline"),
        ("nl", "3 okt. 2024", "byline"),
        ("ar", "5 تشرين الأول 2023", "byline"),
        # a sentence that goes on after its date stays body
        ("pt", "22 de outubro de 2010 foi um dia histórico.", "body"),
        ("es", "El 12 de mayo de 2024 se aprobó la ley.", "body"),
        # a line that is only a link is no sentence to label; a sentence with a link is
        ("en", "http://amzn.to/2hWEIX7", "boilerplate"),
        ("en", "<www.example.org/a/b>", "boilerplate"),
        ("en", "See http://amzn.to/2hWEIX7 for the full report.", "body"),
    ],
)
def test_date_lines_in_other_languages_and_link_lines(language, line, role):
    assert line_role(line, language=language) == role
