"""The contracts floor: JSON Schemas, label schemes and the Label Studio config here;
the record dataclasses (``records``, ``rows``), errors (``errors``) and atomic I/O
(``io``) in the modules beside it. Nothing here imports the rest of the project.

Each contract is declared once here, as data; everything else is derived from it:
the validators (``validate``), the dataset's ``ClassLabel`` (``Scheme.class_label``)
and the Label Studio labeling config (``Scheme.label_config``).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from checkworthy.schemas.errors import InputError, SchemaError

#: Name of the ``<Choices>`` control in the labeling config (``from_name`` in results).
FROM_NAME = "label"
#: Name of the ``<Text>`` object the choice applies to (``to_name`` in results).
TO_NAME = "sentence"

SCHEMA_NAMES = ("article", "sentence", "tasks", "scheme", "labels", "selection")

__all__ = [
    "FROM_NAME",
    "SCHEMA_NAMES",
    "TO_NAME",
    "Label",
    "PageText",
    "Scheme",
    "available_schemes",
    "did_you_mean",
    "load_schema",
    "is_right_to_left",
    "load_scheme",
    "page_languages",
    "page_words",
    "schema_errors",
    "validate",
]


def _read_json_resource(*parts: str) -> Any:
    return json.loads(resources.files(__name__).joinpath(*parts).read_text(encoding="utf-8"))


def available_schemes() -> list[str]:
    """Names of the label schemes shipped in ``schemas/schemes/``."""
    folder = resources.files(__name__).joinpath("schemes")
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def did_you_mean(name: str, choices: list[str]) -> str:
    """``" Did you mean 'x'?"`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(name, choices, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``schemas/<name>.schema.json`` as a dict."""
    if name not in SCHEMA_NAMES and not resources.files(__name__).joinpath(f"{name}.schema.json").is_file():
        raise InputError(f"unknown schema {name!r}; available: {', '.join(SCHEMA_NAMES)}.{did_you_mean(name, list(SCHEMA_NAMES))}")
    return _read_json_resource(f"{name}.schema.json")


@lru_cache(maxsize=None)
def _validator(schema: str):
    """The compiled validator of ``schemas/<schema>.schema.json`` (built once)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(schema))


# Keywords whose meaning fastjsonschema (drafts 4-7) does not know: a schema that uses one
# is checked by jsonschema alone.
_NOT_IN_DRAFT7 = {"prefixItems", "unevaluatedProperties", "unevaluatedItems", "dependentRequired",
                  "dependentSchemas", "$dynamicRef", "$dynamicAnchor", "$anchor", "minContains", "maxContains"}


def _uses_newer_keywords(node: Any) -> bool:
    if isinstance(node, dict):
        return bool(_NOT_IN_DRAFT7 & node.keys()) or isinstance(node.get("items"), list) or any(
            _uses_newer_keywords(value) for value in node.values())
    return isinstance(node, list) and any(_uses_newer_keywords(value) for value in node)


@lru_cache(maxsize=None)
def _fast_check(schema: str):
    """A compiled yes/no check (fastjsonschema, ~20x faster), or None when it would not be exact."""
    import fastjsonschema

    definition = load_schema(schema)
    return None if _uses_newer_keywords(definition) else fastjsonschema.compile(definition)


def schema_errors(obj: Any, schema: str) -> list[str]:
    """Every violation of ``schema`` in ``obj``, as ``"<json path>: <message>"`` strings.

    Valid documents pass a compiled check only; the detailed messages come from
    ``jsonschema``, which decides whenever the fast check finds a problem.
    """
    from fastjsonschema import JsonSchemaException

    fast = _fast_check(schema)
    if fast is not None:
        try:
            fast(obj)
            return []
        except JsonSchemaException:
            pass
    validator = _validator(schema)
    messages = []
    for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        messages.append(f"{where}: {error.message}")
    return messages


def validate(obj: Any, schema: str, where: str) -> None:
    """Raise ``SchemaError`` listing every violation of ``schema`` in ``obj``.

    Parameters
    ----------
    obj : object
        The decoded JSON record or document.
    schema : {"article", "sentence", "tasks", "scheme", ...}
        Name of a schema in ``schemas/``.
    where : str
        Names the file and record, e.g. ``"articles.jsonl: line 3"``; it starts
        every message.
    """
    problems = schema_errors(obj, schema)
    if problems:
        raise SchemaError([f"{where}: {p} (schema {schema}.schema.json)" for p in problems])


#: ISO 15924 codes of the scripts written from right to left that a language's likely script can be.
_RIGHT_TO_LEFT_SCRIPTS = frozenset({"Adlm", "Arab", "Hebr", "Mand", "Nkoo", "Rohg", "Samr", "Syrc", "Thaa"})


@lru_cache(maxsize=None)
def is_right_to_left(language: str | None) -> bool:
    """Whether ``language`` is written from right to left: its likely script (the CLDR
    likely-subtags data in ``langcodes``) is Arabic, Hebrew, Thaana, Syriac, N'Ko...

    Examples
    --------
    >>> is_right_to_left("ar"), is_right_to_left("ur"), is_right_to_left("he"), is_right_to_left("en"), is_right_to_left(None)
    (True, True, True, False, False)
    """
    if not language or language == "und":
        return False
    import langcodes

    try:
        return langcodes.Language.get(language).maximize().script in _RIGHT_TO_LEFT_SCRIPTS
    except (ValueError, LookupError):
        return False


@dataclass(frozen=True)
class Label:
    """One label of a scheme: ``name`` is the value exported, ``title`` the words the page shows."""

    name: str
    title: str
    definition: str
    example: str
    binary: str
    hotkey: str | None = None


@dataclass(frozen=True)
class PageText:
    """The small headers and words of the labeling page, in the scheme's language; those from
    ``adjudication`` on are the adjudication page's (``checkworthy review``): its project
    instruction, the review block above the passage and the words of its reasons."""

    headline: str
    passage: str
    article: str
    guidelines: str
    example: str
    model_score: str
    source: str
    published: str
    link: str
    adjudication: str
    adjudication_instruction: str
    adjudication_choose: str
    earlier_labels: str
    version_label: str
    no_votes: str
    tie: str
    model: str
    reason_tie: str
    reason_disagreement: str
    reason_low_posterior: str
    reason_model_disagrees: str

    def reason(self, reason: str) -> str:
        """The words of a review reason (``tie``, ``disagreement``, ``low-posterior``, ``model-disagrees``)."""
        return getattr(self, "reason_" + reason.replace("-", "_"))


@dataclass(frozen=True)
class Scheme:
    """A label scheme (``claimbuster`` or ``checkthat``), loaded from ``schemas/schemes``.

    Every word an annotator reads (the question, the label words, examples, the page's
    headers, the project instructions) comes from the scheme file, in its ``language``.

    Examples
    --------
    >>> scheme = load_scheme("claimbuster")
    >>> scheme.names
    ['CFS', 'UFS', 'NFS']
    >>> scheme.to_binary("UFS")
    'No'
    """

    name: str
    version: str
    title: str
    language: str
    question: str
    positive: str
    labels: tuple[Label, ...]
    guidelines: str
    instructions: tuple[str, ...]
    blind_instruction: str
    page: PageText
    citation: str | None = None
    decimal_separator: str = "."
    list_separator: str = "; "

    def number(self, value: float) -> str:
        """``value`` with two decimals, written as the page's language writes them.

        Examples
        --------
        >>> load_scheme("claimbuster").number(0.8149), load_scheme("claimbuster", "es").number(0.8149)
        ('0.81', '0,81')
        """
        return f"{value:.2f}".replace(".", self.decimal_separator)

    @property
    def names(self) -> list[str]:
        """Label names in scheme order (the ``ClassLabel`` order)."""
        return [label.name for label in self.labels]

    @property
    def is_binary(self) -> bool:
        return len(self.labels) == 2

    def label(self, name: str) -> Label:
        for label in self.labels:
            if label.name == name:
                return label
        raise InputError(f"label {name!r} is not in scheme {self.name!r} ({', '.join(self.names)}).{did_you_mean(name, self.names)}")

    def to_binary(self, name: str) -> str:
        """Map a label to the CheckThat! ``Yes`` / ``No`` (CFS -> Yes, UFS/NFS -> No)."""
        return self.label(name).binary

    def class_label(self):
        """The ``datasets.ClassLabel`` feature for this scheme."""
        from datasets import ClassLabel

        return ClassLabel(names=self.names)

    def label_config(self) -> str:
        """The Label Studio labeling config (XML) of the labeling page.

        Top to bottom: the scheme's question; the passage (task field ``passage``,
        HTML with the sentence to label in ``<mark>``, see ``checkworthy.builder.tasks``) in the
        object named :data:`TO_NAME`; the whole article in a closed panel (field
        ``article``); then the choices beside the meaning and an example of each
        label. Each choice shows the label's words and exports its name (``alias``),
        so results, exports and the dataset keep ``CFS`` / ``Yes``.
        """
        choices = "\n".join(
            f"        <Choice value={quoteattr(label.title)} alias={quoteattr(label.name)} "
            f"hint={quoteattr(label.definition)}"
            + (f" hotkey={quoteattr(label.hotkey)}" if label.hotkey else "")
            + "/>"
            for label in self.labels
        )
        meanings = "\n".join(
            f"      <Header value={quoteattr(f'{label.title} ({label.name})')} size=\"6\"/>\n"
            f"      <Text name={quoteattr('meaning_' + label.name)} value={quoteattr(self._meaning(label))}/>"
            for label in self.labels
        )
        return (
            ("<View style=\"direction: rtl\">\n" if is_right_to_left(self.language) else "<View>\n")
            + "  <Style>.cw-passage mark, .cw-article mark { background: #ffe066; color: inherit; font-weight: 600; padding: 0 2px; }"
            " .cw-info { color: #666; font-size: 90%; }</Style>\n"
            f"  <Header value={quoteattr(self.question)} size=\"3\"/>\n"
            f"  <HyperText name={quoteattr(TO_NAME)} value=\"$passage\" inline=\"true\" clickableLinks=\"true\"/>\n"
            f"  <Collapse><Panel value={quoteattr(self.page.article)}><HyperText name=\"article\" value=\"$article\" inline=\"true\"/></Panel></Collapse>\n"
            "  <View style=\"display: flex; gap: 2em; align-items: flex-start; margin-top: 1em\">\n"
            "    <View style=\"flex: 0 0 18em\">\n"
            f"      <Choices name={quoteattr(FROM_NAME)} toName={quoteattr(TO_NAME)} choice=\"single-radio\" required=\"true\" showInline=\"false\">\n"
            f"{choices}\n"
            "      </Choices>\n"
            "    </View>\n"
            "    <View style=\"flex: 1\">\n"
            f"      <Header value={quoteattr(self.page.guidelines)} size=\"5\"/>\n"
            f"{meanings}\n"
            "    </View>\n"
            "  </View>\n"
            "</View>\n"
        )

    def _meaning(self, label: Label) -> str:
        """``'<definition> Example: "<example>"'``, as the page shows it beside the choices."""
        return f"{label.definition} {self.page.example}: \u201c{label.example}\u201d"

    def instructions_html(self, *, adjudication: bool = False) -> str:
        """The project instructions (Label Studio's ``expert_instruction``): the scheme's
        paragraphs, then each label's words, meaning and example, HTML-escaped; with
        ``adjudication``, after a paragraph that says what an adjudication project is, and
        without the sentence that asks to label on one's own (``blind_instruction``): the
        adjudication page shows the earlier labels and the model's view on purpose."""
        texts = self.instructions
        if adjudication:
            texts = tuple(kept for kept in (text.replace(self.blind_instruction, "").strip() for text in texts) if kept)
        paragraphs = "".join(f"<p>{escape(text)}</p>" for text in texts)
        labels = "".join(
            f"<li><b>{escape(label.title)}</b> ({escape(label.name)}): {escape(self._meaning(label))}</li>" for label in self.labels
        )
        body = f"<h3>{escape(self.question)}</h3>{paragraphs}<ul>{labels}</ul><p>{escape(self.guidelines)}</p>"
        if adjudication:
            body = f"<p><b>{escape(self.page.adjudication)}.</b> {escape(self.page.adjudication_instruction)}</p>" + body
        return f'<div lang="{escape(self.language)}" dir="rtl">{body}</div>' if is_right_to_left(self.language) else body

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "scheme") -> "Scheme":
        validate(data, "scheme", where)
        labels = tuple(Label(**label) for label in data["labels"])
        page = PageText(**data["page"])
        names = [label.name for label in labels]
        if data["positive"] not in names:
            raise InputError(f"{where}: positive label {data['positive']!r} is not one of the labels ({', '.join(names)})")
        if not any(data["blind_instruction"] in text for text in data["instructions"]):
            raise InputError(f"{where}: blind_instruction {data['blind_instruction']!r} is not in any paragraph of the instructions; "
                             "copy it word for word from the paragraph that asks annotators to label on their own")
        fields = {k: v for k, v in data.items() if k not in ("labels", "page", "instructions")}
        return cls(labels=labels, page=page, instructions=tuple(data["instructions"]), **fields)


def page_languages(name: str) -> list[str]:
    """The languages the labeling page of scheme ``name`` can be shown in: the scheme's own
    and those of its translations (``schemas/schemes/<language>/<name>.json``), sorted."""
    folder = resources.files(__name__).joinpath("schemes")
    translated = [p.name for p in folder.iterdir() if p.is_dir() and p.joinpath(f"{name}.json").is_file()]
    return sorted({load_scheme(name).language, *translated})


@lru_cache(maxsize=None)
def page_words(name: str) -> dict[str, tuple[str, str]]:
    """``words -> (label code, page language)``: what each choice of scheme ``name`` shows on
    its page in every language (a label's ``title``), to tell a label posted as the page's
    words from an unknown one.

    Examples
    --------
    >>> page_words("checkthat")["Merece verificación"]
    ('Yes', 'es')
    """
    return {label.title: (label.name, language) for language in page_languages(name) for label in load_scheme(name, language).labels}


@lru_cache(maxsize=None)
def load_scheme(name: str, language: str | None = None) -> Scheme:
    """Load a shipped scheme by name, its words in ``language`` (default: the scheme's own).

    A translation (``schemas/schemes/<language>/<name>.json``) is a whole scheme file in the
    same format whose words (question, label titles, definitions and examples, guidelines,
    instructions, page headers) are in its ``language``; its name, version, positive label
    and each label's name, binary mapping and hotkey are those of the scheme, so exports and
    datasets are the same whatever language the page was shown in.

    Raises
    ------
    InputError
        The name is unknown, or the scheme has no page in ``language``; the message lists
        what is available. A translation that differs from its scheme in anything but words.
    """
    names = available_schemes()
    if name not in names:
        raise InputError(f"unknown label scheme {name!r}; available: {', '.join(names)}.{did_you_mean(name, names)}")
    scheme = Scheme.from_dict(_read_json_resource("schemes", f"{name}.json"), where=f"schemas/schemes/{name}.json")
    if language is None or language == scheme.language:
        return scheme
    where = f"schemas/schemes/{language}/{name}.json"
    if not resources.files(__name__).joinpath("schemes", language, f"{name}.json").is_file():
        raise InputError(
            f"scheme {name!r} has no labeling page in {language!r}; available: {', '.join(page_languages(name))}. "
            f"To add one, copy schemas/schemes/{name}.json to {where}, set its \"language\" and translate its words "
            "(question, labels' title, definition and example, guidelines, instructions, page)"
        )
    translated = Scheme.from_dict(_read_json_resource("schemes", language, f"{name}.json"), where=where)
    check_translation(scheme, translated, language, where)
    return translated


def check_translation(scheme: Scheme, translated: Scheme, language: str, where: str) -> None:
    """Raise ``InputError`` listing everything but words in which ``translated`` (read from
    ``where``, meant to be ``scheme`` in ``language``) differs from ``scheme``."""
    problems = [
        f"{where}: {field} is {found!r}, expected {expected!r} as in schemas/schemes/{scheme.name}.json (a translation changes words only)"
        for field, found, expected in [
            ("language", translated.language, language),
            ("name", translated.name, scheme.name),
            ("version", translated.version, scheme.version),
            ("positive", translated.positive, scheme.positive),
            ("labels (name, binary, hotkey)", [(la.name, la.binary, la.hotkey) for la in translated.labels],
             [(la.name, la.binary, la.hotkey) for la in scheme.labels]),
        ]
        if found != expected
    ]
    if problems:
        raise InputError(problems)
