"""Croissant 1.0 metadata (``croissant.json``) of a dataset version, with the RAI fields.

The JSON-LD is written from the same :class:`checkworthy.builder.facts.VersionFacts` as the card:
one ``cr:FileObject`` per parquet file (with its sha256), a record set of the label
names, one record set per split whose fields map the parquet columns, and the
responsible-AI (``rai:``) properties. The ``@context`` is inline, so that readers
such as ``mlcroissant`` need no network access to expand it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checkworthy.builder.facts import (
    AGREEMENT_FIGURES,
    CorpusFacts,
    VersionFacts,
    bias_statements,
    corpus_facts,
    field_descriptions,
    labeling_statement,
    personal_information,
)
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import atomic_write_json, read_json, sha256_file

CROISSANT_FILENAME = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
PARQUET = "application/x-parquet"

#: The Croissant 1.0 JSON-LD context, plus the RAI vocabulary.
CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

_DATA_TYPES = {
    "string": "sc:Text",
    "large_string": "sc:Text",
    "bool": "sc:Boolean",
    "float16": "sc:Float",
    "float32": "sc:Float",
    "float64": "sc:Float",
}


def _agreement_figures(figures: dict) -> str:
    """``"name = value, ..."`` of the agreement figures the manifest holds (floats to 3 decimals)."""
    return ", ".join(
        f"{name} = {figures[key]:.3f}" if isinstance(figures[key], float) else f"{name} = {figures[key]}"
        for key, name in AGREEMENT_FIGURES.items()
        if figures.get(key) is not None
    )


def croissant_metadata(facts: VersionFacts) -> dict[str, Any]:
    """The Croissant JSON-LD document of a version, as a dict.

    Parameters
    ----------
    facts : VersionFacts
        From :func:`checkworthy.builder.facts.collect_facts`.

    Returns
    -------
    dict
        Deterministic: the same version and settings give the same document.
    """
    config, scheme, manifest = facts.config, facts.scheme, facts.manifest
    annotations = facts.version_dir / "annotations.parquet"
    paths = [*facts.split_files.values(), *([annotations] if annotations.is_file() else [])]
    files = [(path.relative_to(facts.version_dir).as_posix(), path) for path in paths]
    distribution = [
        {
            "@type": "cr:FileObject",
            "@id": name,
            "name": name,
            "description": f"The {Path(name).stem} split." if name.startswith("data/") else "Every individual label, annotators pseudonymised.",
            "contentUrl": name,
            "contentSize": f"{path.stat().st_size} B",
            "encodingFormat": PARQUET,
            "sha256": sha256_file(path),
        }
        for name, path in files
    ]
    label_names = {
        "@type": "cr:RecordSet",
        "@id": "label_names",
        "name": "label_names",
        "description": f"The labels of the `{scheme.name}` scheme; `label` in the splits is an index into them.",
        "dataType": "sc:Enumeration",
        "key": {"@id": "label_names/index"},
        "field": [
            {"@type": "cr:Field", "@id": "label_names/index", "name": "index", "dataType": "sc:Integer"},
            {"@type": "cr:Field", "@id": "label_names/name", "name": "name", "dataType": "sc:Text"},
            {"@type": "cr:Field", "@id": "label_names/definition", "name": "definition", "dataType": "sc:Text"},
        ],
        "data": [
            {"label_names/index": i, "label_names/name": label.name, "label_names/definition": label.definition}
            for i, label in enumerate(scheme.labels)
        ],
    }
    record_sets = [label_names] + [_split_record_set(facts, split, path) for split, path in facts.split_files.items()]
    agreement = _agreement_figures(manifest.agreement or {})
    if manifest.agreement_by_language:  # more than one language: the same figures for each
        per_language = {language: _agreement_figures(figures) for language, figures in sorted(manifest.agreement_by_language.items())}
        agreement += "".join(f"; in '{language}': {text}" for language, text in per_language.items() if text)
    settings = manifest.settings
    corpus = corpus_facts(facts)
    document = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": facts.pretty_name,
        "description": _description(facts, corpus),
        "version": facts.version,
        "license": facts.license,
        "inLanguage": facts.languages,
        "keywords": list(config.tags),
        "distribution": distribution,
        "recordSet": record_sets,
        "rai:dataCollection": (
            (_corpus_collection(corpus) if corpus else
             "News articles were read, normalised and split into sentences with character offsets into the "
             "article text; candidate sentences were selected for labeling. ")
            + (f"{facts.articles.n_articles} articles, {facts.articles.n_fictional} of them fictional. " if facts.articles else "")
            + (config.articles_note or "")
        ).strip(),
        "rai:dataAnnotationProtocol": (
            f"{labeling_statement(facts)} Guidelines: {scheme.guidelines} "
            + ("The corpus gives one label per sentence: nothing was aggregated." if corpus else
               f"Labels were aggregated by {settings.get('aggregate', 'majority')}"
               + (f"; agreement: {agreement}." if agreement else "."))
            + (f" Annotators: {config.annotators}" if config.annotators else "")
        ),
        "rai:dataBiases": bias_statements(facts),
        "rai:dataLimitations": [
            "Labels say whether a sentence is worth fact-checking, not whether it is true.",
            f"{facts.n_examples} sentences; see the card for split sizes and confidence intervals.",
        ],
        "rai:personalSensitiveInformation": personal_information(facts),
        "rai:dataUseCases": [
            "Training and evaluating check-worthiness classifiers and rankers (CLEF CheckThat! style).",
            "Not for judging the veracity of claims.",
        ],
    }
    if config.homepage or config.repository:
        document["url"] = config.homepage or config.repository
    if config.annotator_demographics:
        document["rai:annotatorDemographics"] = config.annotator_demographics
    document["citeAs"] = (config.citation_bibtex or f"{facts.pretty_name}, version {facts.version}. {scheme.citation or ''}").strip()
    if config.curators:
        document["creator"] = {"@type": "sc:Organization", "name": config.curators}
    return document


def _description(facts: VersionFacts, corpus: CorpusFacts | None) -> str:
    """The dataset's ``description``: what the rows are and how they are split."""
    scheme = facts.scheme
    if corpus is None:
        split_by = f"split by {facts.manifest.settings.get('group_by', 'article')}"
    elif corpus.split_files:
        split_by = "in the organisers' splits (" + ", ".join(f"{split}: {name}" for split, name in corpus.split_files) + ")"
    else:
        split_by = f"split by {corpus.group}"
    splits = ", ".join(facts.split_files) if corpus else "train, validation and test"
    text = corpus.text if corpus else "news articles"
    return (f"A check-worthiness dataset: {facts.n_examples} sentences from {text} labeled with the "
            f"`{scheme.name}` scheme ({', '.join(scheme.names)}), {split_by} into {splits}.")


def _corpus_collection(corpus: CorpusFacts) -> str:
    """``rai:dataCollection`` of a corpus build: where the rows come from and what was left out."""
    left_out = corpus.skipped_artefacts + corpus.skipped_copies
    return (f"The rows are read from the corpus files ({corpus.text}), one row per sentence, with the corpus's ids, texts"
            f"{', urls' if corpus.urls else ''} and labels; nothing was selected or sent to Label Studio. "
            f"{left_out} row(s) left out (`skipped` in manifest.json) and {corpus.n_problems} data problem(s) kept "
            "(`corpus_problems`). ")


def write_croissant(facts: VersionFacts) -> Path:
    """Write ``croissant.json`` into the version directory (canonical JSON, atomically).

    Returns
    -------
    Path
        The path written.
    """
    path = facts.version_dir / CROISSANT_FILENAME
    atomic_write_json(path, croissant_metadata(facts))
    return path


#: The statements of ``croissant.json`` that the card states too (its YAML ``pretty_name``,
#: ``license``, ``language`` and the version), which must never disagree between the two files.
SHARED_WITH_CARD = ("name", "license", "inLanguage", "version")


def croissant_disagreements(facts: VersionFacts) -> list[str]:
    """What the version's existing ``croissant.json`` states otherwise than a card made from ``facts``
    (the keys of :data:`SHARED_WITH_CARD`); empty when it agrees or does not exist.

    ``card --no-croissant`` writes only the card: this says whether that would leave
    the two files of the version disagreeing (for example after ``--license``).
    """
    path = facts.version_dir / CROISSANT_FILENAME
    if not path.is_file():
        return []
    try:
        existing = read_json(path)
    except InputError as exc:
        return [f"{path}: cannot be read ({exc})"]
    if not isinstance(existing, dict):
        return [f"{path}: expected a JSON object"]
    card = {"name": facts.pretty_name, "license": facts.license, "inLanguage": facts.languages, "version": facts.version}
    return [
        f"{key}: croissant.json states {json.dumps(existing.get(key), ensure_ascii=False)}, the card would state "
        f"{json.dumps(card[key], ensure_ascii=False)}"
        for key in SHARED_WITH_CARD
        if existing.get(key) != card[key]
    ]


def _split_record_set(facts: VersionFacts, split: str, path: Path) -> dict[str, Any]:
    file_id = path.relative_to(facts.version_dir).as_posix()
    fields = []
    for name, feature in facts.features.items():
        field: dict[str, Any] = {
            "@type": "cr:Field",
            "@id": f"{split}/{name}",
            "name": name,
            "description": field_descriptions(facts).get(name, name),
            "dataType": _data_type(feature),
            "source": {"fileObject": {"@id": file_id}, "extract": {"column": name}},
        }
        if name == "label":
            field["references"] = {"field": {"@id": "label_names/index"}}
        if hasattr(feature, "feature"):
            field["repeated"] = True
        fields.append(field)
    return {
        "@type": "cr:RecordSet",
        "@id": split,
        "name": split,
        "description": f"The {split} split: one record per sentence.",
        "key": {"@id": f"{split}/sentence_id"},
        "field": fields,
    }


def _data_type(feature: Any) -> str:
    from datasets import ClassLabel  # 2.3 s to import

    if isinstance(feature, ClassLabel):
        return "sc:Integer"
    dtype = getattr(getattr(feature, "feature", feature), "dtype", "string")
    return _DATA_TYPES.get(dtype, "sc:Integer" if "int" in dtype else "sc:Text")

