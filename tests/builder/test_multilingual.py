"""Languages: detection and overrides, per-language splitting and roles, the scorer's cues,
and the ``language`` column from the articles through tasks to the dataset and its card."""

from __future__ import annotations

import json
import warnings

import pytest
from labelstudio_fixtures import KEY, annotation, labeled_export, task, write_articles, write_export

from checkworthy.builder.articles import read_articles
from checkworthy.builder.build import build_version
from checkworthy.builder.card import write_card
from checkworthy.builder.croissant import croissant_metadata
from checkworthy.builder.facts import collect_facts
from checkworthy.builder.language import (
    LanguageConflictWarning,
    detect_language,
    is_right_to_left,
    languages_of,
    normalise_language,
    script_conflict,
)
from checkworthy.builder.languages import SUPPORTED, rules_for
from checkworthy.builder.select import HeuristicScorer, is_factual, score_sentences
from checkworthy.builder.split import get_segmenter, line_role, segment, split_article
from checkworthy.builder.labelstudio import config_choices
from checkworthy.builder.splits import assign_split
from checkworthy.builder.store import load_version
from checkworthy.builder.tasks import make_tasks, predicted_label, write_tasks
from checkworthy.cli import main
from checkworthy.evaluation.harness import evaluate_version
from checkworthy.schemas import load_scheme
from checkworthy.schemas.documents import Manifest, Results
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.records import Article, Sentence

TEXTS = {
    "en": "The government approved the pension reform yesterday after a long debate in parliament.",
    "es": "El Gobierno aprobó ayer la reforma de las pensiones tras un largo debate en el Congreso.",
    "nl": "De regering heeft gisteren na een lang debat in het parlement de pensioenhervorming goedgekeurd.",
    "ar": "وافقت الحكومة أمس على إصلاح نظام التقاعد بعد نقاش طويل في البرلمان.",
    "de": "Die Regierung hat gestern nach einer langen Debatte im Parlament die Rentenreform gebilligt.",
    "fr": "Le gouvernement a approuvé hier la réforme des retraites après un long débat au Parlement.",
}


# -- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_detects_the_language_of_a_short_text(language):
    code, confidence = detect_language(TEXTS[language])
    assert code == language
    assert 0.5 < confidence <= 1.0


@pytest.mark.parametrize(("text", "language"), [
    # an English story quoting a minister in Arabic was detected as Moroccan Arabic ('ary', 0.83)
    ("Jordan budget rises 5%\n\nThe minister spoke to reporters in Amman on Sunday about the new budget, which rises 5% "
     "to 9 billion dinars.\nHe said, in Arabic: \"قال الوزير إن الأسعار ارتفعت 5% هذا العام بسبب ارتفاع تكاليف الطاقة والنقل\"\n"
     "The opposition said the figures were misleading.", "en"),
    ("انخفضت البطالة بنسبة أربعة في المئة في مارس الماضي وفق بيانات GDP و IMF الرسمية.", "ar"),
    ("東京都は5日、新たに300人の感染を確認したと発表した。WHOによると。", "ja"),  # kanji and kana are one language's
])
def test_a_quotation_in_another_script_does_not_decide_the_language(text, language):
    assert detect_language(text)[0] == language


def test_text_without_letters_is_undetermined():
    assert detect_language("2024 - 17:45 / 3.5%") == ("und", 0.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("es", "es"), ("pt-BR", "pt"), ("EN", "en"), ("zh_Hant", "zh"), (" nl ", "nl"),
     # one language, one code: ISO 639-2/3 codes and deprecated ones become the registry's preferred code
     ("spa", "es"), ("nld", "nl"), ("dut", "nl"), ("ara", "ar"), ("iw", "he"), ("fil", "fil"), ("und", "und")],
)
def test_language_tags_are_normalised(value, expected):
    assert normalise_language(value, "x") == expected


@pytest.mark.parametrize("value", ["sp", "zz", "xx-XX", "esp"], ids=["typo-of-es", "unassigned", "unassigned-with-region", "three-letter"])
def test_a_code_the_registry_does_not_know_is_refused(value):
    with pytest.raises(InputError, match=rf"--language: field 'language': '{value}' is not a language code of the IANA registry"):
        normalise_language(value, "--language")


def test_a_mistyped_language_flag_stops_the_run_before_anything_is_written(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": TEXTS["es"]}])
    with pytest.raises(InputError, match=r"'sp' is not a language code"):
        read_articles([path], language="sp")


@pytest.mark.parametrize("value", ["", "spanish", "e", 3, None, "es--"], ids=["empty", "name", "one-letter", "number", "none", "bad-subtag"])
def test_a_bad_language_tag_is_refused_with_where_it_is(value):
    with pytest.raises(InputError, match=r"a\.jsonl: line 2: field 'language': expected a language code"):
        normalise_language(value, "a.jsonl: line 2")


def test_languages_of_is_sorted_and_distinct():
    assert languages_of(["nl", "en", None, "nl", ""]) == ["en", "nl"]


# -- where the language comes from ----------------------------------------------------------------


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_mixed_corpus_gets_one_language_per_article(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", [{"id": code, "text": text} for code, text in TEXTS.items()])
    articles = read_articles([path])
    assert {a.article_id: a.language for a in articles} == {code: code for code in TEXTS}
    assert all(0 < a.language_confidence <= 1 for a in articles)


def test_jsonl_language_field_wins_over_detection_and_has_no_confidence(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": TEXTS["es"], "language": "ca-ES"}])
    (article,) = read_articles([path])
    assert (article.language, article.language_confidence) == ("ca", None)
    assert "language" not in article.meta


def test_bad_jsonl_language_names_file_and_line(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": TEXTS["es"]}, {"id": "y", "text": TEXTS["nl"], "language": "Dutch!"}])
    with pytest.raises(InputError, match=r"a\.jsonl:2: field 'language': expected a language code .* found 'Dutch!'"):
        read_articles([path])


def test_html_lang_attribute_gives_the_language(tmp_path):
    page = tmp_path / "pagina.html"
    body = " ".join([TEXTS["en"]] * 3)  # English words, but the page says Spanish: the page wins
    page.write_text(f"<html lang='es-ES'><head><title>T</title></head><body><article><h1>Titular</h1><p>{body}</p><p>{body}</p></article></body></html>", encoding="utf-8")
    (article,) = read_articles([page])
    assert (article.language, article.language_confidence) == ("es", None)


def test_language_flag_overrides_everything(tmp_path):
    path = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": TEXTS["es"], "language": "es"}, {"id": "y", "text": TEXTS["nl"]}])
    assert {a.language for a in read_articles([path], language="pt-BR")} == {"pt"}
    with pytest.raises(InputError, match="--language: field 'language': expected a language code"):
        read_articles([path], language="portuguese")


# -- splitting per language --------------------------------------------------------------------

SPLIT_CASES = [
    ("es", "¿Qué pasó en EE. UU. ayer? ¡Nada! El Sr. Pérez llegó tarde.", ["¿Qué pasó en EE. UU. ayer?", "¡Nada!", "El Sr. Pérez llegó tarde."]),
    ("es", "La Sra. García vive en la pág. 5 del informe. Luego habló.", ["La Sra. García vive en la pág. 5 del informe.", "Luego habló."]),
    ("nl", "Dit geldt o.a. voor boeren, d.w.z. de melkveehouders. Mr. Jansen zei het.", ["Dit geldt o.a. voor boeren, d.w.z. de melkveehouders.", "Mr. Jansen zei het."]),
    ("nl", "Zie blz. 5 voor meer. Ze gingen samen op. Gezamenlijk lukte het.", ["Zie blz. 5 voor meer.", "Ze gingen samen op.", "Gezamenlijk lukte het."]),
    ("nl", "Hij zei: ,,Het was een mooi feest. '' Daarna ging hij naar huis.", ["Hij zei: ,,Het was een mooi feest. ''", "Daarna ging hij naar huis."]),
    ("ar", "قال الوزير إن الاقتصاد نما بنسبة 3%. هل هذا صحيح؟ نعم، هذا صحيح!", ["قال الوزير إن الاقتصاد نما بنسبة 3%.", "هل هذا صحيح؟", "نعم، هذا صحيح!"]),
    ("ar", "ارتفعت الأسعار؛ وانخفضت الأجور. هذا صحيح.", ["ارتفعت الأسعار؛ وانخفضت الأجور.", "هذا صحيح."]),  # ؛ does not end a sentence
    ("de", "Der Vertrag wurde am 3. Mai unterzeichnet. Das ist z. B. gut.", ["Der Vertrag wurde am 3. Mai unterzeichnet.", "Das ist z. B. gut."]),
    ("fr", "Mme Martin est arrivée, cf. p. 4 du rapport. Puis M. Dupont.", ["Mme Martin est arrivée, cf. p. 4 du rapport.", "Puis M. Dupont."]),
    ("pt", "A Sra. Silva chegou ontem. O Dr. Costa não.", ["A Sra. Silva chegou ontem.", "O Dr. Costa não."]),
    ("it", "Il dott. Rossi è arrivato. Il prof. Bianchi no.", ["Il dott. Rossi è arrivato.", "Il prof. Bianchi no."]),
    # A dateline's abbreviated month before the agency, and an ordinal before an abbreviated month, go on.
    ("es", "Madrid, 12 oct. (EFE).- El Gobierno aprobó la reforma. El paro bajó.",
     ["Madrid, 12 oct. (EFE).-", "El Gobierno aprobó la reforma.", "El paro bajó."]),
    ("fr", "PARIS, 3 oct. (AFP) - Le gouvernement a voté. Puis il est parti.", ["PARIS, 3 oct. (AFP) - Le gouvernement a voté.", "Puis il est parti."]),
    ("de", "Am 3. Okt. wurde gewählt. Dann sprach er.", ["Am 3. Okt. wurde gewählt.", "Dann sprach er."]),
    ("nl", "Het gebeurde in 's-Hertogenbosch. 's Avonds ging hij naar huis. ’t Was laat.",
     ["Het gebeurde in 's-Hertogenbosch.", "'s Avonds ging hij naar huis.", "’t Was laat."]),  # an elided article starts a sentence
    ("es", "Se reunieron el 12 de oct. (Ver el anexo.) Luego habló.", ["Se reunieron el 12 de oct.", "(Ver el anexo.)", "Luego habló."]),
]


#: Scripts with a full stop of their own, split in any language (CJK, danda, Ethiopic...).
SCRIPT_CASES = [
    ("hi", "सरकार ने कहा कि दर 7.8 प्रतिशत तक गिर गई। यह सबसे कम है। विपक्ष ने सवाल उठाए।",
     ["सरकार ने कहा कि दर 7.8 प्रतिशत तक गिर गई।", "यह सबसे कम है।", "विपक्ष ने सवाल उठाए।"]),
    (None, "दर गिर गई।यह सबसे कम है॥ अंत", ["दर गिर गई।", "यह सबसे कम है॥", "अंत"]),  # no space after the danda, no language given
    ("am", "መንግስት ዛሬ አስታወቀ። ይህ ትልቅ ነው።", ["መንግስት ዛሬ አስታወቀ።", "ይህ ትልቅ ነው።"]),
    ("hy", "Կառավարությունը հայտարարեց։ Սա կարևոր է։", ["Կառավարությունը հայտարարեց։", "Սա կարևոր է։"]),
    ("my", "အစိုးရက ကြေညာသည်။ ဒါက အရေးကြီးတယ်။", ["အစိုးရက ကြေညာသည်။", "ဒါက အရေးကြီးတယ်။"]),
    ("ur", "حکومت نے اعلان کیا۔ یہ اہم ہے۔", ["حکومت نے اعلان کیا۔", "یہ اہم ہے۔"]),
    ("zh", "总理说：“我们将继续改革。”这是一个重要的里程碑吗？专家们表示怀疑！",
     ["总理说：“我们将继续改革。”", "这是一个重要的里程碑吗？", "专家们表示怀疑！"]),  # the closing quote stays with its sentence
    ("ja", "「行く。」と彼は言った。次の日、雨が降った！本当？",
     ["「行く。」と彼は言った。", "次の日、雨が降った！", "本当？"]),  # と after the bracket continues the sentence
    ("el", "Τι έγινε; Η κυβέρνηση ανακοίνωσε. Αυτό είναι σημαντικό.", ["Τι έγινε;", "Η κυβέρνηση ανακοίνωσε.", "Αυτό είναι σημαντικό."]),
    ("en", "A list; Β is not Greek here. He said: “Go.” Then he left.", ["A list; Β is not Greek here.", "He said: “Go.”", "Then he left."]),
]


@pytest.mark.parametrize("segmenter", ["blingfire", "rules"])
@pytest.mark.parametrize(("language", "text", "expected"), SPLIT_CASES + SCRIPT_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(SPLIT_CASES + SCRIPT_CASES)])
def test_split_per_language(segmenter, language, text, expected):
    spans = segment(text, get_segmenter(segmenter), language=language)
    assert [text[a:b] for a, b in spans] == expected


def test_arabic_offsets_are_exact_in_right_to_left_text():
    text = "عاجل\n\nقال الوزير: ارتفع التضخم إلى 5٪ في مارس؛ هل هذا صحيح؟ نعم.\nاقرأ أيضا: تقرير البنك المركزي"
    article = read_articles_from_text(text, "ar")
    sentences = split_article(article)
    assert [s.text for s in sentences] == ["عاجل", "قال الوزير: ارتفع التضخم إلى 5٪ في مارس؛ هل هذا صحيح؟", "نعم.", "اقرأ أيضا: تقرير البنك المركزي"]
    for s in sentences:
        assert article.text[s.start : s.end] == s.text
        assert s.language == "ar"
    assert sentences[-1].role == "boilerplate"


def test_hindi_article_offsets_are_exact():
    text = "बेरोजगारी घटी\n\nसरकार ने कहा कि दर 7.8 प्रतिशत तक गिर गई। विपक्ष ने सवाल उठाए।"
    sentences = split_article(read_articles_from_text(text, "hi"))
    assert [s.text for s in sentences] == ["बेरोजगारी घटी", "सरकार ने कहा कि दर 7.8 प्रतिशत तक गिर गई।", "विपक्ष ने सवाल उठाए।"]
    assert all(text[s.start : s.end] == s.text and s.language == "hi" for s in sentences)


def read_articles_from_text(text: str, language: str) -> Article:
    return Article("a1", text, title=text.split("\n")[0], language=language)


def test_english_rules_are_unchanged_by_the_language_argument():
    text = "Talks with the U.S. resumed on Nov. 17. Dr. Ri agreed. The deal, i.e. the plan, holds."
    assert segment(text) == segment(text, language="en") == segment(text, language="sv")  # sv has no rules of its own


def test_every_language_keeps_the_english_abbreviations():
    for code in SUPPORTED:
        rules = rules_for(code)
        assert rules_for("en").titles <= rules.titles and rules_for("en").never_final <= rules.never_final, code


# -- roles per language ------------------------------------------------------------------------

ROLE_CASES = [
    ("es", "Foto: Juan Pérez / EFE", "caption"),
    ("es", "Por María López", "byline"),
    ("es", "Lea también: la reforma en cifras", "boilerplate"),
    ("nl", "Lees ook: het kabinet valt", "boilerplate"),
    ("nl", "Foto: ANP", "caption"),
    ("nl", "Door Jan van der Berg", "byline"),
    ("ar", "اقرأ أيضا: تقرير البنك المركزي", "boilerplate"),
    ("ar", "صورة: أرشيفية", "caption"),
    ("es", "Por la tarde, el Gobierno aprobó la reforma con 180 votos.", "body"),
    ("nl", "Door de storm vielen gisteren drie doden in Zeeland.", "body"),
    ("es", "Por la tarde llovió", "body"),
    ("nl", "Door de regen", "body"),
    ("es", "Por Juan de la Cruz", "byline"),
]


@pytest.mark.parametrize(("language", "line", "role"), ROLE_CASES, ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(ROLE_CASES)])
def test_line_roles_per_language(language, line, role):
    assert line_role(line, language=language) == role


def test_english_role_patterns_hold_in_every_language():
    for code in ("es", "nl", "ar"):
        assert line_role("Related Articles", language=code) == "boilerplate"


# -- the heuristic scorer per language -----------------------------------------------------------

def _score(text: str, language: str | None) -> tuple[float, str]:
    sentence = Sentence("a1:x", "a1", 0, 0, len(text), text, "body", language=language)
    return HeuristicScorer().score([sentence], Article("a1", text))[0]


@pytest.mark.parametrize(
    ("language", "text", "short"),
    [
        ("zh", "失业率降至4.9%，为三年来最低。", False),  # one token of 11 characters: 7 words
        ("zh", "专家们表示怀疑！", True),
        ("ja", "これは過去10年で最低の水準である。", False),
        ("ja", "本当？", True),
        ("es", "El paro subió un 4% en marzo.", False),
        ("es", "Subió un 4%.", True),
    ],
)
def test_a_sentence_without_spaces_is_not_short_for_want_of_them(language, text, short):
    _, reason = _score(text, language)
    assert ("short" in reason.split(": ", 1)[1].split("; ")) == short, reason


@pytest.mark.parametrize(("language", "text"), [("zh", "这是一个重要的里程碑吗？"), ("ja", "「本当ですか？」"), ("ar", "هل هذا صحيح؟"), ("en", "Is this true?")])
def test_a_question_is_seen_in_every_script(language, text):
    assert "question" in _score(text, language)[1]


@pytest.mark.parametrize(
    ("language", "claim", "opinion"),
    [
        ("es", "El paro subió un 4% en marzo, según el INE.", "Creo que quizás es una buena idea, ¿no?"),
        ("nl", "De werkloosheid steeg volgens het CBS in maart met 4 procent.", "Ik vind dat misschien een goed idee?"),
        ("ar", "وقال الوزير إن البطالة ارتفعت بنسبة 4% في مارس.", "أعتقد أن هذه ربما فكرة جيدة؟"),
    ],
)
def test_scorer_uses_the_language_cues_and_says_so(language, claim, opinion):
    claim_score, claim_reason = _score(claim, language)
    opinion_score, opinion_reason = _score(opinion, language)
    assert claim_reason.startswith(f"language {language}: ") and "attribution" in claim_reason and "quantity" in claim_reason
    assert opinion_reason.startswith(f"language {language}: ") and "question" in opinion_reason
    assert claim_score >= 0.6
    assert opinion_score <= 0.2


def test_language_without_cue_words_uses_language_independent_cues():
    score, reason = _score("Arbetslösheten steg med 4 procent i mars, enligt SCB.", "sv")
    assert reason == "language sv, language-independent cues only: quantity (4); named entities (SCB)"
    assert score == 0.5


@pytest.mark.parametrize(
    ("language", "text", "quantity"),
    [
        ("de", "Die Arbeitslosigkeit ist die niedrigste seit 2008.", "2008"),  # the full stop ends the sentence, not the number
        ("nl", "Er zijn 1.200 banen bij, 3,5 procent meer.", "1.200"),
        ("es", "El paro bajó al 11,2%, según el INE.", "11,2%"),
        ("pt", "O governo investiu R$ 3 bilhões, disse.", "$ 3"),
        ("fr", "Le budget est de 4,5 milliards, selon le ministère.", "4,5"),
    ],
)
def test_quantity_reason_ends_with_the_number_not_the_punctuation_after_it(language, text, quantity):
    _, reason = _score(text, language)
    assert f"quantity ({quantity})" in reason


def test_english_scores_and_reasons_are_unchanged():
    text = "Prices rose 4% in May, the bureau said."
    assert _score(text, "en") == _score(text, None) == (0.9, "quantity (4%); comparison (rose); attribution (said); date (in May); named entities (May)")


# -- is_factual (the three-way predicted label) per language -------------------------------------

# (language, text, factual in that language, what the English cues alone said): each language's own
# words decide; where English cues alone would have said the opposite, the test shows the change.
FACTUAL_CASES = [
    ("es", "El ministro dijo que la inflación bajó.", True, False),       # attribution, comparison
    ("es", "Quizás el Gobierno subió los impuestos un 4%.", False, True),  # hedge outweighs the quantity
    ("es", "Creo que el Gobierno miente.", False, True),                   # first-person opinion
    ("es", "¿Subirá el paro este año?", False, False),                     # question (¿)
    ("nl", "De minister zei dat de prijzen daalden.", True, False),
    ("nl", "Ik denk dat de prijzen misschien 5% stijgen.", False, True),
    ("nl", "Stijgen de prijzen in 2024?", False, False),
    ("ar", "قال الوزير إن الأسعار ارتفعت", True, False),
    ("ar", "وقال الوزير إن الأسعار ارتفعت", True, False),                   # the prefix و (and) on قال
    ("ar", "ربما ارتفعت الأسعار 5%", False, True),                          # hedge
    ("ar", "هل ارتفعت الأسعار؟", False, False),                             # question (؟)
    ("sv", "Priserna steg med 5 procent.", True, True),                    # no word lists: a digit
    ("sv", "Stiger priserna?", False, False),
]


@pytest.mark.parametrize(("language", "text", "factual", "english"), FACTUAL_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FACTUAL_CASES)])
def test_is_factual_uses_the_language_cues(language, text, factual, english):
    assert is_factual(text, language) is factual
    assert is_factual(text) is english


def test_is_factual_in_english_is_unchanged():
    for text in ("The deficit rose 12% in 2023.", "Is the deficit rising?", "I think the deficit is a disgrace.", "Prices may rise by 4%."):
        assert is_factual(text, "en") is is_factual(text, None) is is_factual(text)


@pytest.mark.parametrize(("language", "text", "label"), [
    ("es", "El ministro dijo que la inflación bajó.", "UFS"),
    ("nl", "Ik denk dat de prijzen misschien 5% stijgen.", "NFS"),
    ("ar", "قال الوزير إن الأسعار ارتفعت", "UFS"),
])
def test_task_prediction_is_decided_in_the_sentence_language(language, text, label):
    article = Article("a1", text, language=language)
    (sentence,) = score_sentences([Sentence("a1:x", "a1", 0, 0, len(text), text, "body", language=language)], article)
    assert sentence.score < 0.5  # not check-worthy: the factual cues decide between UFS and NFS
    assert predicted_label(load_scheme("claimbuster"), sentence.score, text, language) == label
    (made,) = make_tasks([article], [sentence], "claimbuster")
    assert made["predictions"][0]["result"][0]["value"]["choices"] == [label]


# -- through tasks, the dataset and its card --------------------------------------------------------

MIXED = {
    "en01": ["Report on the economy", "Prices rose 4 percent in 2020, the statistics office said.", "The minister called it a disaster for families."],
    "es01": ["Informe sobre la economía", "Los precios subieron un 4 por ciento en 2020, según la oficina de estadística.", "El ministro lo calificó de desastre para las familias."],
    "nl01": ["Rapport over de economie", "De prijzen stegen in 2020 met 4 procent, meldde het statistiekbureau.", "De minister noemde het een ramp voor gezinnen."],
}


def test_tasks_carry_the_language_and_the_flag_overrides_it(tmp_path):
    folder, _ = write_articles(tmp_path, MIXED)
    write_tasks([folder], tmp_path / "tasks")
    sentences = [json.loads(line) for line in (tmp_path / "tasks" / "sentences.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {s["article_id"]: s["language"] for s in sentences} == {"en01": "en", "es01": "es", "nl01": "nl"}
    tasks = json.loads((tmp_path / "tasks" / "tasks.json").read_text(encoding="utf-8"))
    assert {t["data"]["article_id"]: t["data"]["language"] for t in tasks} == {"en01": "en", "es01": "es", "nl01": "nl"}
    assert {t["data"]["article_id"]: t["meta"]["reason"].startswith("language ") for t in tasks} == {"en01": False, "es01": True, "nl01": True}
    articles = [json.loads(line) for line in (tmp_path / "tasks" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(0 < a["language_confidence"] <= 1 for a in articles)
    # The articles.jsonl that tasks wrote keeps its languages when read again (no detection).
    assert {a.article_id: a.language for a in read_articles([tmp_path / "tasks" / "articles.jsonl"])} == {"en01": "en", "es01": "es", "nl01": "nl"}

    assert main(["tasks", str(folder), "--out", str(tmp_path / "tasks-es"), "--language", "es", "--quiet"]) == 0
    tasks = json.loads((tmp_path / "tasks-es" / "tasks.json").read_text(encoding="utf-8"))
    assert {t["data"]["language"] for t in tasks} == {"es"}


def test_language_column_reaches_load_dataset_the_card_and_croissant(tmp_path):
    from datasets import load_dataset

    folder, sentences = write_articles(tmp_path, MIXED)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: ["CFS", "NFS"], 2: ["CFS", "NFS"]}))
    result = build_version([export], [folder], tmp_path / "ds", key=KEY)
    loaded = load_dataset(str(result.path), cache_dir=str(tmp_path / "hf-cache"))
    rows = [row for split in loaded.values() for row in split]
    assert {row["article_id"]: row["language"] for row in rows} == {a: a[:2] for a in {row["article_id"] for row in rows}}
    assert loaded["train"].features["language"].dtype == "string"

    write_card(result.path, articles=read_articles([folder]))
    card = (result.path / "README.md").read_text(encoding="utf-8")
    header = card.split("---")[1]
    assert "language:\n- en\n- es\n- nl\n" in header and "- multilingual" in header
    assert "Label balance per language" in card and "**Language(s) (NLP):** en, es, nl" in card
    facts = collect_facts(result.path)
    assert croissant_metadata(facts)["inLanguage"] == ["en", "es", "nl"]


def test_evaluation_reports_each_language_of_a_multilingual_test_split(tmp_path):
    articles = {f"{code}{i:02d}": [f"{head} {i}", *body] for i in range(30) for code, (head, *body) in MIXED.items()}
    folder, sentences = write_articles(tmp_path, articles)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: ["CFS", "NFS", "UFS"], 2: ["CFS", "NFS", "UFS"]}))
    result = build_version([export], [folder], tmp_path / "ds", key=KEY)
    out = evaluate_version(str(tmp_path / "ds"), baselines=["majority", "tfidf-lr"], n_resamples=20, out=tmp_path / "eval")
    results = Results.from_dict(json.loads((out / "results.json").read_text(encoding="utf-8")))
    test = load_version(result.path.parent.parent)["test"]
    codes = sorted(set(test["language"]))
    assert len(codes) > 1 and results.language == "en,es,nl"
    assert sorted(results.by_language) == codes
    for code, entries in results.by_language.items():
        assert [e.baseline for e in entries] == ["majority", "tfidf-lr"]
        assert {e.n_items for e in entries} == {test["language"].count(code)}
    assert "embed" not in " ".join(results.warnings)
    report = (out / "results.md").read_text(encoding="utf-8")
    for code, entries in results.by_language.items():
        n_articles = len({a for a, c in zip(test["article_id"], test["language"]) if c == code})
        assert {e.n_articles for e in entries} == {n_articles}
        assert f"## test, language `{code}` ({entries[0].n_items} sentences, {n_articles} article(s))" in report
        assert (f"Only {n_articles} article(s): the intervals resample articles" in report) == (n_articles < 5)


def test_a_language_with_few_test_articles_or_none_is_said_so_in_the_report_and_the_card(tmp_path):
    """Thirty English articles, two Spanish and one Dutch: the Spanish and Dutch test rows, if
    any, come from too few articles for their intervals, and a language missing from a split
    is a limitation in the card (not only a warning in the manifest)."""
    articles = {f"en{i:02d}": [f"Report {i}", *MIXED["en01"][1:]] for i in range(30)}
    spanish = [f"es{i:02d}" for i in range(100) if assign_split(f"es{i:02d}", seed=0) == "test"][:2]  # both in test
    articles.update({article_id: [f"Informe {article_id}", *MIXED["es01"][1:]] for article_id in spanish})
    articles[next(f"nl{i:02d}" for i in range(100) if assign_split(f"nl{i:02d}", seed=0) == "train")] = MIXED["nl01"]
    folder, sentences = write_articles(tmp_path, articles)
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: ["CFS", "NFS", "UFS"], 2: ["CFS", "NFS", "UFS"]}))
    result = build_version([export], [folder], tmp_path / "ds", key=KEY)
    missing = [w for w in result.manifest.warnings if w.startswith("language ")]
    assert missing, "with one or two articles, Spanish and Dutch cannot be in every split"
    write_card(result.path, articles=read_articles([folder]))
    card = " ".join((result.path / "README.md").read_text(encoding="utf-8").split())
    assert "Not every language is in every split (" + "; ".join(w.split(": its results")[0] for w in missing) in card
    out = evaluate_version(str(tmp_path / "ds"), baselines=["majority"], n_resamples=20, out=tmp_path / "eval")
    results = Results.from_dict(json.loads((out / "results.json").read_text(encoding="utf-8")))
    report = (out / "results.md").read_text(encoding="utf-8")
    few = [code for code, entries in results.by_language.items() if entries[0].n_articles < 5]
    assert few and all(f"Add `{code}` articles to the test split." in report for code in few)
    assert "Add `en` articles" not in report


# -- agreement per language ------------------------------------------------------------------------

TWO_LANGUAGES = {
    ("en01", "en"): "Prices rose 4 percent in 2020.\n\nThe minister called it a disaster.",
    ("en02", "en"): "Unemployment fell to 5 percent.\n\nThe opposition was not convinced.",
    ("es01", "es"): "Los precios subieron un 4 por ciento en 2020.\n\nEl ministro lo calificó de desastre.",
    ("es02", "es"): "El paro bajó al 5 por ciento.\n\nLa oposición no quedó convencida.",
}


def _two_language_export(path, sentences, languages):
    """Two annotators. English: they agree on all four sentences. Spanish: on two of four, with the
    same label shares as chance (CFS 4 of 8 votes, NFS 4 of 8): percent 0.5, Fleiss' kappa 0,
    Krippendorff's alpha 1 - 7 * 4 / 32 = 0.125 (see test_agreement.py)."""
    labels = {"en": (["CFS", "CFS", "NFS", "NFS"], ["CFS", "CFS", "NFS", "NFS"]),
              "es": (["CFS", "CFS", "NFS", "NFS"], ["CFS", "NFS", "NFS", "CFS"])}
    tasks, seen = [], {"en": 0, "es": 0}
    for n, sentence in enumerate(sorted(sentences.values(), key=lambda s: s.sentence_id)):
        code = languages[sentence.article_id]
        first, second = (labels[code][0][seen[code]], labels[code][1][seen[code]])
        seen[code] += 1
        tasks.append(task(sentence, [annotation(1, first, ann_id=10 * n + 1), annotation(2, second, ann_id=10 * n + 2)], task_id=n + 1))
    assert seen == {"en": 4, "es": 4}
    return write_export(path, tasks)


def test_manifest_and_card_report_agreement_per_language(tmp_path):
    languages = {article_id: code for article_id, code in TWO_LANGUAGES}
    articles = _jsonl(tmp_path / "articles.jsonl", [{"id": a, "text": text, "language": code} for (a, code), text in TWO_LANGUAGES.items()])
    sentences = {s.sentence_id: s for article in read_articles([articles]) for s in split_article(article)}
    export = _two_language_export(tmp_path / "export.json", sentences, languages)
    result = build_version([export], [articles], tmp_path / "ds", key=KEY)

    document = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    keys = list(document)
    assert keys[keys.index("agreement") + 1] == "agreement_by_language"
    by_language = document["agreement_by_language"]
    assert list(by_language) == ["en", "es"]
    assert [(by_language[c]["items"], by_language[c]["votes"], by_language[c]["annotators"]) for c in ("en", "es")] == [(4, 8, 2), (4, 8, 2)]
    assert by_language["en"]["percent"] == by_language["en"]["fleiss_kappa"] == by_language["en"]["krippendorff_alpha"] == 1.0
    assert (by_language["es"]["percent"], by_language["es"]["fleiss_kappa"], by_language["es"]["krippendorff_alpha"]) == (0.5, 0.0, 0.125)
    assert document["agreement"]["percent"] == 0.75 and document["agreement"]["items"] == 8
    assert Manifest.from_dict(document).to_dict() == document
    assert result.manifest.agreement_by_language == by_language

    write_card(result.path, articles=read_articles([articles]))
    card = (result.path / "README.md").read_text(encoding="utf-8")
    assert "Per language (`agreement_by_language` in `manifest.json`):" in card
    assert "| en | 4 | 4 | 8 | 2 | 1.000 | 1.000 | 1.000 |" in card
    assert "| es | 4 | 4 | 8 | 2 | 0.500 | 0.000 | 0.125 |" in card
    # Label balance per language: Spanish ties stay unresolved, so 2 Spanish rows (both agreed, CFS and NFS).
    assert "Label balance per language" in card and "| es | 2 | 1 (50.0%) | 0 (0.0%) | 1 (50.0%) |" in card
    protocol = json.loads((result.path / "croissant.json").read_text(encoding="utf-8"))["rai:dataAnnotationProtocol"]
    overall, rest = protocol.split("; in 'en': ")
    english, spanish = rest.split("; in 'es': ")
    assert "percent agreement = 0.750" in overall and "items = 8," in overall
    assert "items = 4," in english and "percent agreement = 1.000" in english and "Krippendorff's alpha (nominal) = 1.000" in english
    assert "items = 4," in spanish and "percent agreement = 0.500" in spanish and "Krippendorff's alpha (nominal) = 0.125" in spanish


def test_one_language_has_no_agreement_per_language(tmp_path):
    english = {key: text for key, text in TWO_LANGUAGES.items() if key[1] == "en"}
    articles = _jsonl(tmp_path / "articles.jsonl", [{"id": a, "text": text, "language": code} for (a, code), text in english.items()])
    sentences = {s.sentence_id: s for article in read_articles([articles]) for s in split_article(article)}
    export = write_export(tmp_path / "export.json", labeled_export(sentences, {1: ["CFS", "NFS"], 2: ["CFS", "UFS"]}))
    result = build_version([export], [articles], tmp_path / "ds", key=KEY)
    document = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert "agreement_by_language" not in document and result.manifest.agreement_by_language is None
    write_card(result.path, articles=read_articles([articles]))
    card = (result.path / "README.md").read_text(encoding="utf-8")
    assert "agreement_by_language" not in card and "Label balance per language" not in card
    protocol = json.loads((result.path / "croissant.json").read_text(encoding="utf-8"))["rai:dataAnnotationProtocol"]
    assert "; agreement: items = 4," in protocol and "percent agreement = 0.500" in protocol and "; in '" not in protocol


@pytest.mark.parametrize(("language", "rtl"), [("ar", True), ("he", True), ("ur", True), ("fa", True), ("dv", True),
                                               ("en", False), ("zh", False), ("und", False), (None, False)])
def test_right_to_left_languages_are_known_from_their_script(language, rtl):
    assert is_right_to_left(language) == rtl


def test_right_to_left_tasks_are_laid_out_right_to_left_and_others_unchanged(tmp_path):
    articles = tmp_path / "mixed.jsonl"
    articles.write_text(
        json.dumps({"id": "ar1", "title": "عاجل", "text": "عاجل\n\nقال الوزير إن التضخم ارتفع إلى 5% في مارس.", "language": "ar"}, ensure_ascii=False)
        + "\n" + json.dumps({"id": "en1", "title": "News", "text": "News\n\nPrices rose 4% in May, the bureau said."}) + "\n",
        encoding="utf-8")
    write_tasks([articles], tmp_path / "out")
    tasks = {t["data"]["article_id"]: t["data"] for t in json.loads((tmp_path / "out" / "tasks.json").read_text(encoding="utf-8"))}
    assert '<div class="cw-passage" lang="ar" dir="rtl">' in tasks["ar1"]["passage"]
    assert '<p class="cw-headline" lang="ar" dir="rtl">' in tasks["ar1"]["passage"]
    assert tasks["ar1"]["article"].startswith('<div class="cw-article" lang="ar" dir="rtl">')
    assert "dir=" not in tasks["en1"]["passage"] + tasks["en1"]["article"]


def test_build_warns_when_a_language_is_missing_from_a_split(tmp_path):
    """30 English articles and one Spanish one: Spanish lands in one split only, and the build
    says which written splits have no Spanish row (and is silent about English)."""
    records = [{"id": f"en{i:02d}", "text": f"Prices rose {i} percent in 20{i:02d} in region number {i}.", "language": "en"} for i in range(30)]
    records.append({"id": "es01", "text": "Los precios subieron un 4 por ciento en 2020.", "language": "es"})
    articles = _jsonl(tmp_path / "articles.jsonl", records)
    sentences = {s.sentence_id: s for article in read_articles([articles]) for s in split_article(article) if s.role == "body"}
    tasks = [task(s, [annotation(1, "CFS", ann_id=10 * n + 1)], task_id=n + 1) for n, s in enumerate(sorted(sentences.values(), key=lambda s: s.sentence_id))]
    result = build_version([write_export(tmp_path / "export.json", tasks)], [articles], tmp_path / "ds", key=KEY)

    written = [s for s in ("train", "validation", "test") if getattr(result.manifest.counts, s)]
    spanish_split = assign_split("es01", seed=0)
    missing = [s for s in written if s != spanish_split]
    assert len(written) == 3 and missing
    warnings = [w for w in result.manifest.warnings if w.startswith("language ")]
    assert warnings == [f"language es: 1 sentence(s), none in {', '.join(missing)}: its results cannot be reported per language "
                        "there; add es articles (or change --seed; a split is drawn per article)"]
    assert warnings[0] in json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))["warnings"]


def test_the_labeling_page_can_be_in_spanish_with_the_same_exports(tmp_path):
    articles = _jsonl(tmp_path / "es.jsonl", [{"id": "es1", "title": "Paro", "text": "Paro\n\nEl paro bajó un 4% en marzo, según el INE.", "language": "es"}])
    assert main(["tasks", str(articles), "--out", str(tmp_path / "es"), "--page-language", "spa", "--quiet"]) == 0
    assert main(["tasks", str(articles), "--out", str(tmp_path / "en"), "--quiet"]) == 0
    spanish, english = load_scheme("claimbuster", "es"), load_scheme("claimbuster")
    config = (tmp_path / "es" / "label_config.xml").read_text(encoding="utf-8")
    assert config == spanish.label_config() and spanish.question in config and english.question not in config
    assert config_choices(config) == config_choices((tmp_path / "en" / "label_config.xml").read_text(encoding="utf-8"))
    es_tasks = json.loads((tmp_path / "es" / "tasks.json").read_text(encoding="utf-8"))
    en_tasks = json.loads((tmp_path / "en" / "tasks.json").read_text(encoding="utf-8"))
    assert [t["meta"]["page_language"] for t in es_tasks] == ["es"] and "page_language" not in en_tasks[0]["meta"]
    assert "<h4>Titular</h4>" in es_tasks[0]["data"]["passage"] and "<h4>Headline</h4>" in en_tasks[0]["data"]["passage"]
    score = es_tasks[0]["predictions"][0]["score"]  # the page writes the model's score with a decimal comma
    assert f"puntuación del modelo {score:.2f}".replace(".", ",") in es_tasks[0]["data"]["passage"]
    assert f"model score {score:.2f}" in en_tasks[0]["data"]["passage"]
    assert es_tasks[0]["predictions"] == en_tasks[0]["predictions"]  # the same label codes whatever the page's language


ARABIC_PAGE = """<!DOCTYPE html><html lang="{lang}"><head><title>البطالة تنخفض في الأردن</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>البطالة تنخفض في الأردن</h1>
<p>انخفض معدل البطالة في الأردن إلى 21.4 بالمئة في الربع الثالث من العام، بحسب دائرة الإحصاءات العامة.</p>
<p>وقال وزير العمل إن الحكومة وفرت أكثر من عشرين ألف فرصة عمل جديدة منذ بداية العام.</p>
<p>ويرى خبراء أن الانخفاض يعود إلى نمو قطاع السياحة بنسبة 12 بالمئة.</p>
</article><footer>Copyright</footer></body></html>
"""


def test_an_html_lang_that_the_text_contradicts_is_not_used(tmp_path):
    """A CMS template's ``<html lang="en">`` on an Arabic story: the language is detected
    instead (with its confidence), the article's meta says why, and one warning names the page;
    a right ``lang`` is used as it was."""
    wrong, right = tmp_path / "wrong.html", tmp_path / "right.html"
    wrong.write_text(ARABIC_PAGE.format(lang="en"), encoding="utf-8")
    right.write_text(ARABIC_PAGE.format(lang="ar-JO"), encoding="utf-8")
    with pytest.warns(LanguageConflictWarning, match=r"1 article\(s\) with a doubtful language .*wrong\.html: <html lang> says 'en' "
                                                     r"but the text is written in Arabic; its language was detected instead"):
        [article] = read_articles([wrong])
    assert article.language == "ar" and article.language_confidence > 0.9
    assert article.meta["html_lang_ignored"] == "<html lang> says 'en' but the text is written in Arabic"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        [article] = read_articles([right])
    assert (article.language, article.language_confidence) == ("ar", None) and "html_lang_ignored" not in article.meta


def test_a_given_language_that_the_text_or_the_article_contradicts_is_kept_with_a_warning(tmp_path):
    articles = _jsonl(tmp_path / "mixed.jsonl", [
        {"id": "a1", "text": "انخفض معدل البطالة في الأردن إلى 21.4 بالمئة في الربع الثالث من العام.", "language": "en"},
        {"id": "e1", "text": "Prices rose 4% in May, the statistics office said on Tuesday.", "language": "en"},
        {"id": "s1", "text": "El paro bajó un 4% en marzo, según el INE, que publicó los datos el martes.", "language": "es"},
    ])
    with pytest.warns(LanguageConflictWarning) as caught:
        found = read_articles([articles])
    assert [a.language for a in found] == ["en", "en", "es"], "a language the input gives is kept"
    [message] = [str(w.message) for w in caught if w.category is LanguageConflictWarning]
    assert message.startswith("1 article(s) with a doubtful language") and "mixed.jsonl:1: language 'en', but the text is written in Arabic" in message
    with pytest.warns(LanguageConflictWarning) as caught:
        found = read_articles([articles], language="spa")
    assert [a.language for a in found] == ["es", "es", "es"], "--language wins"
    [message] = [str(w.message) for w in caught if w.category is LanguageConflictWarning]
    assert "2 article(s)" in message and "mixed.jsonl:2: --language es, but the article says 'en'" in message
    assert "mixed.jsonl:3" not in message


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("en", "انخفض معدل البطالة في الأردن إلى 21.4 بالمئة في الربع الثالث.", "Arabic"),
    ("ar", "Prices rose four percent in May, the statistics office said.", "Latin"),
    ("ru", "Prices rose four percent in May, the statistics office said.", "Latin"),
    ("ja", "物価は五月に四パーセント上がったと統計局が火曜日に発表した。", None),  # kanji and kana are Japanese
    ("zh", "统计局星期二说，五月份物价上涨了百分之四，高于预期水平。", None),
    ("ko", "Prices rose four percent in May, the statistics office said.", "Latin"),
    ("sr", "Vlada je usvojila budžet za sledeću godinu u utorak uveče.", None),  # Serbian is written in Latin too
    ("es", "Precios: 4%, 5%, 6%.", None),  # too few letters to judge
    ("en", "Prices rose 4% in May; «Цены выросли», said the office on Tuesday in a statement.", None),  # mostly Latin
])
def test_a_texts_script_conflicts_only_with_a_language_not_written_in_it(language, text, expected):
    assert script_conflict(language, text) == expected


def test_a_left_to_right_passage_on_a_right_to_left_page_says_so(tmp_path):
    """A Spanish article on the Arabic page: the page runs right to left, so the Spanish
    passage, headline and article panel carry ``dir="ltr"`` (else ``¿...?`` and quotes move to
    the wrong end); an Arabic article on it needs nothing more than its own ``dir="rtl"``."""
    articles = _jsonl(tmp_path / "mixed.jsonl", [
        {"id": "es1", "title": "Paro", "text": "Paro\n\n¿Bajó el paro? El paro bajó un 4% en marzo, según el INE.", "language": "es"},
        {"id": "ar1", "title": "البطالة", "text": "البطالة\n\nانخفضت البطالة بنسبة 4% في مارس.", "language": "ar"},
    ])
    assert main(["tasks", str(articles), "--out", str(tmp_path / "ar-page"), "--page-language", "ar", "--quiet"]) == 0
    assert main(["tasks", str(articles), "--out", str(tmp_path / "en-page"), "--quiet"]) == 0
    for page, spanish_dir in (("ar-page", ' lang="es" dir="ltr"'), ("en-page", "")):
        tasks = {t["data"]["language"]: t["data"] for t in json.loads((tmp_path / page / "tasks.json").read_text(encoding="utf-8"))}
        assert f'<div class="cw-passage"{spanish_dir}>' in tasks["es"]["passage"]
        assert f'<p class="cw-headline"{spanish_dir}>' in tasks["es"]["passage"]
        assert tasks["es"]["article"].startswith(f'<div class="cw-article"{spanish_dir}>')
        assert '<div class="cw-passage" lang="ar" dir="rtl">' in tasks["ar"]["passage"]
        assert tasks["ar"]["article"].startswith('<div class="cw-article" lang="ar" dir="rtl">')


def test_a_page_without_source_date_link_or_score_has_no_empty_info_line(tmp_path):
    articles = _jsonl(tmp_path / "a.jsonl", [{"id": "a1", "title": "Prices", "text": "Prices\n\nPrices rose 4% in May, the office said."}])
    assert main(["tasks", str(articles), "--out", str(tmp_path / "blind"), "--blind", "--quiet"]) == 0
    assert main(["tasks", str(articles), "--out", str(tmp_path / "seen"), "--quiet"]) == 0
    blind = json.loads((tmp_path / "blind" / "tasks.json").read_text(encoding="utf-8"))
    seen = json.loads((tmp_path / "seen" / "tasks.json").read_text(encoding="utf-8"))
    assert blind and all("cw-info" not in t["data"]["passage"] and "<p></p>" not in t["data"]["passage"] for t in blind)
    assert all('<p class="cw-info">model score ' in t["data"]["passage"] for t in seen)


def test_a_page_language_without_translation_stops_before_anything_is_written(tmp_path, capsys):
    articles = _jsonl(tmp_path / "a.jsonl", [{"id": "a1", "text": "Prices rose 4% in May."}])
    assert main(["tasks", str(articles), "--out", str(tmp_path / "out"), "--page-language", "fi"]) == 1
    assert "no labeling page in 'fi'; available: ar, en, es, nl" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_corpus_in_one_language_with_a_page_in_it_suggests_the_page(tmp_path):
    spanish = _jsonl(tmp_path / "es.jsonl", [{"id": "es1", "text": "El paro bajó un 4% en marzo, según el INE.", "language": "es"}])
    mixed = _jsonl(tmp_path / "mixed.jsonl", [{"id": "en1", "text": "Prices rose 4% in May.", "language": "en"},
                                               {"id": "es2", "text": "El paro bajó un 4%.", "language": "es"}])
    with pytest.warns(UserWarning, match=r"every article is in 'es' but the labeling page is in 'en'; --page-language es shows"):
        write_tasks([spanish], tmp_path / "a")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_tasks([spanish], tmp_path / "b", page_language="es")  # asked for: no warning
        write_tasks([mixed], tmp_path / "c")  # two languages: no single page fits
    with pytest.warns(LanguageConflictWarning) as caught:  # Spanish forced to Swedish: said, but no Swedish page to suggest
        write_tasks([spanish], tmp_path / "d", language="sv")
    assert [w.category for w in caught] == [LanguageConflictWarning]
