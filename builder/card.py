"""The Hugging Face dataset card (``README.md``) of a dataset version, and its Croissant file.

The card is generated from the version's own records, read once into a
:class:`~checkworthy.builder.facts.VersionFacts` (see :mod:`checkworthy.builder.facts`),
with ``huggingface_hub.DatasetCard`` / ``DatasetCardData``. Its body is a sequence of
generated sections, each delimited by markers::

    <!-- checkworthy:begin structure -->
    ## Dataset Structure
    ...
    <!-- checkworthy:end structure -->

The words of the sections are in the Jinja2 template ``templates/card.md`` (one macro
per section, named as in :data:`SECTIONS`); this module decides the facts the template
states: numbers, table rows, which statements apply.

Regenerating rewrites what is inside the markers and keeps everything outside them,
so text written by hand between two sections stays where it was. In the YAML header
the card owns the keys listed in ``OWNED_YAML_KEYS``; every other key is kept, in its
place.

Text that comes from the data (sentences, sources, licenses, file names, settings) is
inert in the card: the template's filters escape what Markdown or HTML would read as
markup (``<``, ``>``, ``&`` before an entity, backticks, backslashes, ``](``, and
``|`` in tables) and join lines, so that no data becomes a tag, a link, a heading or
a marker comment. The settings written by the dataset's owner in ``card.json``
(``annotators``, ``articles_note``, ...) may use Markdown but no HTML.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from checkworthy.builder.croissant import croissant_disagreements, write_croissant
from checkworthy.builder.facts import (
    AGREEMENT_FIGURES,
    CARD_FILENAME,
    CONFIG_FILENAME,
    RESULTS_PATH,
    MAX_TABLE_ROWS,
    CardConfig,
    VersionFacts,
    bias_statements,
    collect_facts,
    corpus_facts,
    field_descriptions,
    labeling_statement,
    personal_information,
    scheme_sentence,
    text_source,
)
from checkworthy.builder.store import check_integrity
from checkworthy.schemas.errors import InputError
from checkworthy.schemas.io import atomic_write_text, read_json
from checkworthy.schemas.locks import folder_lock
from checkworthy.schemas.records import Article
from checkworthy.schemas.rows import SPLITS

#: The YAML keys the card writes; any other key of an existing card is kept.
OWNED_YAML_KEYS = (
    "pretty_name",
    "license",
    "language",
    "language_creators",
    "multilinguality",
    "task_categories",
    "task_ids",
    "size_categories",
    "annotations_creators",
    "source_datasets",
    "tags",
    "checkworthy",
    "configs",
    "dataset_info",
)

#: The generated sections of the card body, in the order of the HF template; each is a
#: macro of ``templates/card.md``.
SECTIONS = ("summary", "details", "uses", "structure", "creation", "splits", "baselines", "bias", "license", "citation", "changelog")
#: The card's template, in ``builder/templates/``.
TEMPLATE = "card.md"
_MARKER = re.compile(r"<!-- checkworthy:(begin|end) ([a-z_]+) -->\n?")
#: An ``&`` that starts a character reference, which Markdown would decode (``&lt;``, ``&#60;``).
_ENTITY_START = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
#: Characters of data that cannot stand in a Markdown code span.
_NOT_IN_CODE = re.compile(r"[`<\r\n]")
#: The metrics of the card's baseline table, in this order (all of them are in ``evaluation/results.md``).
CARD_METRICS = ("f1_positive", "precision_positive", "recall_positive", "macro_f1", "accuracy", "average_precision", "map")


def write_card(
    version_dir: str | Path,
    *,
    config: CardConfig | None = None,
    articles: Iterable[Article] | None = None,
    croissant: bool = True,
    wait: float = 0.0,
    save_settings: Mapping[str, Any] | None = None,
) -> Path:
    """Write (or regenerate) the version's ``README.md`` and ``croissant.json``.

    The dataset is locked while the card is written (one writer at a time), and the
    version's data files are checked against its manifest first: a card never
    describes files that changed after the build.

    The card keeps every hand-written part of an existing ``README.md``: text outside
    the ``checkworthy:begin/end`` markers and every YAML key not in
    ``OWNED_YAML_KEYS``. The same version, settings and existing card give a
    byte-identical result. Before it is written the card is checked offline by
    :func:`validate_card`.

    Parameters
    ----------
    version_dir : path-like
        ``<dataset>/versions/X.Y.Z``.
    config : CardConfig, optional
        Card settings; default ``<dataset>/card.json`` or the defaults.
    articles : iterable of Article, optional
        The source articles (``build`` passes them); their metadata gives the license
        when ``config.license`` is not set, and the card counts fictional articles.
        Only articles with a sentence in the version count. When None, the facts
        recorded in the existing card (YAML ``checkworthy.articles``) are reused.
    croissant : bool, default=True
        Also write ``croissant.json`` (see ``checkworthy.builder.croissant``). With
        False, an existing ``croissant.json`` that would then state another name,
        license, language or version than the card is an error: the two files of a
        version never disagree.
    wait : float, default=0
        Seconds to wait for another command that holds the dataset's lock.
    save_settings : mapping, optional
        The new content of the dataset's settings file ``<dataset>/card.json``
        (``card --license`` and the other options are kept there, so that every later
        card of the dataset, by ``evaluate``, ``build`` or ``card``, says the same; see
        :func:`remembered_settings`). Written under the same lock, after the card was
        validated, and only when it differs from the file.

    Returns
    -------
    Path
        The path of ``README.md``.

    Raises
    ------
    InputError
        The version's records are incomplete, the existing card's YAML is broken, or
        ``croissant=False`` and the existing ``croissant.json`` disagrees with the card.

    Examples
    --------
    >>> write_card("data/versions/1.0.0")  # doctest: +SKIP
    PosixPath('data/versions/1.0.0/README.md')
    """
    version_dir = Path(version_dir)
    with folder_lock(version_dir.parent.parent, "write a dataset card", wait=wait):
        check_integrity(version_dir)
        facts = collect_facts(version_dir, config=config, articles=articles)
        path = facts.version_dir / CARD_FILENAME
        existing = path.read_text(encoding="utf-8") if path.is_file() else None
        content = render_card(facts, existing)
        validate_card(content, facts.version_dir, where=str(path))
        if not croissant:
            disagreements = croissant_disagreements(facts)
            if disagreements:
                raise InputError(
                    disagreements,
                    header=f"{facts.version_dir}: --no-croissant would leave croissant.json disagreeing with the card "
                    "(nothing was written); leave out --no-croissant to rewrite both, or delete croissant.json",
                )
        if save_settings is not None:
            _save_settings(facts.dataset_dir / CONFIG_FILENAME, save_settings)
        atomic_write_text(path, content)
        if croissant:
            write_croissant(facts)
    return path


def remembered_settings(
    dataset_dir: str | Path, options: Mapping[str, Any], *, config_file: str | Path | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The new content of ``<dataset>/card.json`` after ``checkworthy card``, and what changed in it.

    Every later card of the dataset (``evaluate`` and ``build`` regenerate it) reads its
    settings from ``<dataset>/card.json``, so the settings ``card`` was given are kept
    there: the ``options`` that are not None (``pretty_name``, ``license``,
    ``language``) are set in the file, its other keys kept in their order. With
    ``config_file`` (``card --config FILE``) the card is made from that file, so it
    becomes the dataset's settings: the file's settings plus the options replace
    ``card.json``. The settings are not secret (they are printed in the card).

    Returns
    -------
    content : dict
        The settings to write (:func:`write_card`'s ``save_settings``).
    changes : list of str
        One line per key added, changed or removed, with the old value; empty when the
        file stays as it is.
    """
    path = Path(dataset_dir) / CONFIG_FILENAME
    old = read_json(path) if path.is_file() else {}
    if not isinstance(old, dict):
        old = {}
    base = dict(read_json(config_file)) if config_file is not None else dict(old)
    new = {**base, **{key: value for key, value in options.items() if value is not None}}
    changes = []
    for key in [*old, *(k for k in new if k not in old)]:
        if key in new and key in old and new[key] == old[key]:
            continue
        if key not in old:
            changes.append(f"{key}: set to {_shorten(json.dumps(new[key], ensure_ascii=False), 60)}")
        elif key not in new:
            changes.append(f"{key}: removed (was {_shorten(json.dumps(old[key], ensure_ascii=False), 60)})")
        else:
            changes.append(f"{key}: {_shorten(json.dumps(new[key], ensure_ascii=False), 60)} "
                           f"(was {_shorten(json.dumps(old[key], ensure_ascii=False), 60)})")
    return new, changes


def _save_settings(path: Path, content: Mapping[str, Any]) -> None:
    """Write the settings file when its content changes (keys in their order, two-space indent)."""
    if path.is_file():
        try:
            if read_json(path) == dict(content):
                return
        except InputError:
            pass
    atomic_write_text(path, json.dumps(dict(content), ensure_ascii=False, indent=2) + "\n")


def render_card(facts: VersionFacts, existing: str | None = None) -> str:
    """The card's text: generated YAML and blocks merged into ``existing`` (if any)."""
    from huggingface_hub import DatasetCard, DatasetCardData  # 0.5 s to import

    old_data: dict[str, Any] = {}
    old_text = ""
    if existing is not None:
        try:
            old = DatasetCard(existing)
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"{facts.version_dir / CARD_FILENAME}: the YAML header cannot be read ({exc}); "
                "fix it or delete the file to regenerate the card from scratch"
            ) from None
        old_data = old.data.to_dict()
        old_text = old.text
    data = {**_yaml_metadata(facts), **{k: v for k, v in old_data.items() if k not in OWNED_YAML_KEYS}}
    yaml_text = DatasetCardData(**data).to_yaml(original_order=list(data))
    return f"---\n{yaml_text}\n---\n{_merge_body(old_text, _blocks(facts))}"


def validate_card(content: str, version_dir: str | Path, where: str = CARD_FILENAME) -> None:
    """Check a card offline, with the parsers the Hub and ``datasets`` use.

    ``DatasetCard.validate()`` posts the card to the Hub, which cannot be reached
    from here, so this runs the local equivalents instead:

    1. ``huggingface_hub.DatasetCard`` parses the text and its ``DatasetCardData``
       round-trips to the same YAML (no key is lost or renamed);
    2. ``datasets`` reads ``configs`` (``MetadataConfigs``) and ``dataset_info``
       (``DatasetInfosDict``) the way ``load_dataset`` does, and every ``data_files``
       path exists in the version directory;
    3. the closed vocabularies (language, size category, creators,
       multilinguality) hold values from the lists ``datasets`` ships.

    Raises
    ------
    InputError
        Listing every problem found.
    """
    from datasets.info import DatasetInfosDict  # 2.3 s to import
    from datasets.utils.metadata import MetadataConfigs  # 2.3 s to import
    from huggingface_hub import DatasetCard  # 0.5 s to import

    card = DatasetCard(content)
    problems = []
    reparsed = DatasetCard(str(card))
    if reparsed.data.to_dict() != card.data.to_dict():
        problems.append("the YAML header does not round-trip through huggingface_hub.DatasetCardData")
    try:
        configs = MetadataConfigs.from_dataset_card_data(card.data)
        infos = DatasetInfosDict.from_dataset_card_data(card.data)
    except (ValueError, TypeError, KeyError) as exc:
        problems.append(f"configs/dataset_info cannot be read by datasets: {exc}")
        configs, infos = {}, {}
    if configs and list(configs) != ["default"]:
        problems.append(f"configs: expected one 'default' config, found {', '.join(configs)}")
    for entry in configs.get("default", {}).get("data_files", []):
        if not Path(version_dir, entry["path"]).is_file():
            problems.append(f"configs: data_files of split {entry['split']!r} names {entry['path']!r}, which does not exist")
    if infos and "default" in infos and configs:
        declared = {e["split"] for e in configs["default"].get("data_files", [])}
        if set(infos["default"].splits or {}) != declared:
            problems.append("dataset_info.splits and configs.data_files name different splits")
    for key, allowed in _vocabularies().items():
        values = card.data.get(key)
        for value in [values] if isinstance(values, str) else values or []:
            if value not in allowed:
                hint = ", ".join(sorted(allowed)) if len(allowed) <= 15 else f"one of the {len(allowed)} ISO 639 codes datasets knows"
                problems.append(f"{key}: expected {hint}; found {value!r}")
    if problems:
        raise InputError(problems, header=f"{where}: the dataset card is not valid; fix the card settings (card.json) or the YAML header")


def _vocabularies() -> dict[str, set[str]]:
    folder = resources.files("datasets.utils.resources")

    def load(name: str) -> Any:
        return json.loads(folder.joinpath(name).read_text(encoding="utf-8"))

    creators = load("creators.json")
    return {
        "language": set(load("languages.json")),
        "size_categories": set(load("size_categories.json")),
        "annotations_creators": set(creators["annotations"]),
        "language_creators": set(creators["language"]),
        "multilinguality": set(load("multilingualities.json")),
    }


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M" if n < 10_000_000 else "10M<n<100M"


def _yaml_metadata(facts: VersionFacts) -> dict[str, Any]:
    """The YAML keys the card owns (``OWNED_YAML_KEYS``), in that order."""
    import pyarrow.parquet as pq  # 0.3 s to import
    from datasets import DatasetInfo, SplitDict, SplitInfo  # 2.3 s to import
    from datasets.info import DatasetInfosDict  # 2.3 s to import
    from huggingface_hub import DatasetCardData  # 0.5 s to import

    config = facts.config
    multi_class = len(facts.scheme.names) > 2
    splits = SplitDict()
    for split, size in facts.split_sizes.items():
        metadata = pq.read_metadata(facts.split_files[split])
        num_bytes = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        splits.add(SplitInfo(name=split, num_examples=size, num_bytes=num_bytes))
    card_data = DatasetCardData()
    DatasetInfosDict({"default": DatasetInfo(features=facts.features, splits=splits)}).to_dataset_card_data(card_data)
    dataset_info = card_data["dataset_info"]
    dataset_info.pop("config_name", None)
    return {
        "pretty_name": facts.pretty_name,
        "license": facts.license,
        "language": facts.languages,
        "language_creators": [config.language_creators],
        "multilinguality": ["monolingual" if len(facts.languages) == 1 else "multilingual"],
        "task_categories": ["text-classification"],
        "task_ids": ["fact-checking", "multi-class-classification"] if multi_class else ["fact-checking"],
        "size_categories": [_size_category(facts.n_examples)],
        "annotations_creators": facts.annotations_creators,
        "source_datasets": facts.source_datasets,
        "tags": list(config.tags),
        "checkworthy": {"articles": facts.articles.to_yaml()} if facts.articles else None,
        "configs": [
            {
                "config_name": "default",
                "data_files": [
                    {"split": split, "path": path.relative_to(facts.version_dir).as_posix()}
                    for split, path in facts.split_files.items()
                ],
            }
        ],
        "dataset_info": dataset_info,
    }


def _merge_body(old_text: str, blocks: list[tuple[str, str]]) -> str:
    """Generated ``blocks`` with the hand-written text of ``old_text`` kept in place.

    Text before the first block stays at the top; the text that followed a block
    follows the regenerated block. A block no longer generated leaves its
    following text after the previous block.
    """
    prefix, after = _split_old_body(old_text) if old_text.strip() else ("", {})
    names = [name for name, _ in blocks]
    orphans: dict[str, str] = {}
    previous = None
    for name, text in after.items():
        if name in names:
            previous = name
        elif text.strip():
            key = previous or ""
            orphans[key] = orphans.get(key, "") + text
    out = [prefix + orphans.get("", "")]
    for name, content in blocks:
        out.append(f"<!-- checkworthy:begin {name} -->\n{content.strip()}\n<!-- checkworthy:end {name} -->\n")
        out.append((after.get(name) or "\n") + orphans.get(name, ""))
    return "".join(out).rstrip("\n") + "\n"


def _split_old_body(text: str) -> tuple[str, dict[str, str]]:
    """The text before the first block, and the text after each block, by block name."""
    pos, prefix, after = 0, None, {}
    current = None
    for match in _MARKER.finditer(text):
        kind, name = match.groups()
        if kind == "begin":
            between = text[pos : match.start()]
            if current is None and prefix is None:
                prefix = between
            elif current is not None:
                after[current] = between
            current = None
        else:
            current = name
        pos = match.end()
    if prefix is None:
        return text if text.endswith("\n") else text + "\n", {}
    if current is not None:
        after[current] = text[pos:]
    return prefix, after


# --- rendering --------------------------------------------------------------------


def _blocks(facts: VersionFacts) -> list[tuple[str, str]]:
    """The generated sections of the card body, ``(name, text)`` in the order of :data:`SECTIONS`."""
    sections = _template().make_module(_context(facts))
    return [(name, getattr(sections, name)()) for name in SECTIONS]


@functools.cache
def _template() -> Template:
    """``templates/card.md``, loaded once; an undefined value is an error, not an empty string."""
    environment = Environment(
        loader=PackageLoader("checkworthy.builder", "templates"),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        autoescape=False,
    )
    environment.filters.update(cell=_cell, text=_text, code=_code, prose=_prose, fence=_fence)
    return environment.get_template(TEMPLATE)


def _fence(text: str) -> str:
    """A code-fence of backticks longer than any run of backticks in ``text`` (at least three),
    so that text from ``card.json`` (a BibTeX entry) cannot close the fence early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _context(facts: VersionFacts) -> dict[str, Any]:
    """The values ``templates/card.md`` states: the facts, and the numbers and table rows computed from them."""
    m = facts.manifest
    settings = m.settings
    names = facts.features["label"].names
    per_item: Counter[int] = Counter()
    for counts in facts.annotator_counts.values():
        per_item.update(counts)
    inputs = [(role, _code(item["name"]), _code(item["sha256"])) for role, items in sorted(m.inputs.items()) for item in items]
    example = dict(facts.example)
    if "label" in example and isinstance(example["label"], int):
        example["label"] = f"{example['label']} ({names[example['label']]})"
    return {
        "facts": facts,
        "config": facts.config,
        "scheme": facts.scheme,
        "articles": facts.articles,
        "scheme_sentence": scheme_sentence(facts),
        "text_source": text_source(facts),
        "corpus": corpus_facts(facts),
        "labeling_statement": labeling_statement(facts),
        "personal_information": personal_information(facts),
        "bias_statements": bias_statements(facts),
        # summary, details
        "fingerprint": m.fingerprint,
        "package_version": m.package_version.rstrip(),
        "parent": m.parent,
        # structure
        "fields": [(_code(name), _feature_type(feature), _Markdown(field_descriptions(facts).get(name, ""))) for name, feature in facts.features.items()],
        "example_json": _inert_json(example) if example else None,
        "label_names": list(names),
        "split_rows": [
            [split, size, *(_share(facts.label_counts[split][n], size) for n in names)] for split, size in facts.split_sizes.items()
        ],
        "all_shares": [_share(sum(c[n] for c in facts.label_counts.values()), facts.n_examples) for n in names],
        "language_rows": [[code, sum(c.values()), *(_share(c[n], sum(c.values())) for n in names)] for code, c in facts.language_counts.items()]
        if len(facts.language_counts) > 1 else [],
        # creation
        "inputs": inputs[:MAX_TABLE_ROWS],
        "inputs_hidden": len(inputs) - MAX_TABLE_ROWS,
        "per_item": sorted(per_item.items()),
        "aggregate": settings.get("aggregate", "majority"),
        "n_unresolved": len(m.unresolved),
        "n_skipped": len(m.skipped),
        "adjudication": m.adjudication,
        "agreement": _agreement(m.agreement, m.agreement_by_language),
        "agreement_names": list(AGREEMENT_FIGURES.values()),
        "quality": _quality(m.annotator_quality),
        "selection": m.selection or [],
        "n_annotators_total": facts.n_annotators_total,
        # splits
        "group_by": settings.get("group_by", "article"),
        "seed": settings.get("seed", "-"),
        "settings": sorted(settings.items()),
        "leakage": _leakage(m.leakage.to_dict()),
        # baselines
        **_baselines(facts),
    }


def _agreement(agreement: Mapping[str, Any] | None, by_language: Mapping[str, Mapping[str, Any]] | None = None) -> SimpleNamespace | None:
    """The rows of the agreement tables: overall figures, per language (when there are several), per label,
    per pair (each annotator: :func:`_quality`)."""
    if not agreement:
        return None
    pairs = agreement.get("pairwise_cohen_kappa") or []
    return SimpleNamespace(
        overall=[(name, agreement.get(key)) for key, name in AGREEMENT_FIGURES.items()],
        per_language=[(code, *(figures.get(key) for key in AGREEMENT_FIGURES)) for code, figures in (by_language or {}).items()],
        per_label=[
            (name, v.get("votes"), v.get("fleiss_kappa"), v.get("krippendorff_alpha")) for name, v in (agreement.get("per_label") or {}).items()
        ],
        pairs=[
            (" / ".join(map(str, p.get("annotators", []))), p.get("items"), p.get("percent"), p.get("cohen_kappa"))
            for p in pairs[:MAX_TABLE_ROWS]
        ],
        pairs_hidden=len(pairs) - MAX_TABLE_ROWS,
    )


def _quality(quality: Mapping[str, Any] | None) -> SimpleNamespace | None:
    """Gold items and the row of each annotator: gold accuracy, leave-one-out agreement, Dawid-Skene diagonal."""
    if not quality:
        return None
    labels = quality["labels"]
    people = sorted(quality["annotators"].items())
    return SimpleNamespace(
        gold=quality["gold"],
        per_split=[(s, quality["gold"]["per_split"][s]) for s in SPLITS if s in quality["gold"].get("per_split", {})],
        labels=labels,
        rows=[
            (name, p["votes"], p["gold_items"], p["gold_accuracy"], p["loo_items"], p["loo_agreement"],
             " / ".join(f"{label} {_fmt(row[k])}" for k, (label, row) in enumerate(zip(labels, p["ds_confusion"]))))
            for name, p in people[:MAX_TABLE_ROWS]
        ],
        hidden=len(people) - MAX_TABLE_ROWS,
        ties=sum(p["loo_ties"] for _, p in people),
        min_accuracy=quality["min_accuracy"],
        excluded=[(e["annotator"], e["gold_accuracy"], e["gold_items"]) for e in quality["excluded"]],
        kept_without_gold=quality["kept_without_gold"],
    )


def _leakage(leakage: Mapping[str, Any]) -> SimpleNamespace | None:
    """The leakage report (near-identical sentences across splits, as found by the build); None when there is none."""
    if not leakage.get("clusters"):
        return None
    items = leakage.get("items") or []
    rows = [
        (item.get("kind"), _shorten(str(item.get("text", ""))), ", ".join(f"{k}: {v}" for k, v in sorted((item.get("counts") or {}).items())))
        for item in items[:MAX_TABLE_ROWS]
    ]
    return SimpleNamespace(
        clusters=leakage["clusters"],
        exact=leakage.get("exact", 0),
        near=leakage.get("near", 0),
        sentences=leakage.get("sentences", 0),
        removed=len(leakage.get("removed") or []),
        rows=rows,
        hidden=len(items) - len(rows),
    )


def _baselines(facts: VersionFacts) -> dict[str, Any]:
    """The baseline table: the metrics of ``CARD_METRICS`` that were computed, one row per baseline and split."""
    available = {name for entry in facts.results for name in entry["metrics"]}
    metric_names = [name for name in CARD_METRICS if name in available]
    rows = []
    for entry in sorted(facts.results, key=lambda e: (_split_rank(e["split"]), str(e["baseline"]))):
        cis = entry.get("ci95") or {}
        rows.append(
            [entry["baseline"], entry["split"]]
            + [_with_interval(entry["metrics"].get(name), cis.get(name) if isinstance(cis, Mapping) else None) for name in metric_names]
        )
    return {"baseline_rows": rows, "metric_names": metric_names, "other_metrics": sorted(available - set(metric_names)),
            "ties_sentence": _ties_sentence(facts) if "map" in metric_names else None}


#: The note ``checkworthy evaluate`` adds to the description of MAP (and the other per-article ranking
#: metrics) in ``results.json`` when tied scores count at their expected value over every order of the
#: ties; equal to ``checkworthy.evaluation.metrics.EXPECTED_TIES_NOTE`` (the builder does not import the
#: evaluation; a test checks the two).
EXPECTED_TIES_NOTE = "tied scores count at their expected value over every order of the ties"


def _ties_sentence(facts: VersionFacts) -> str:
    """How the card's MAP counted tied scores, from the description ``results.json`` records for it."""
    path = facts.version_dir / RESULTS_PATH
    data = read_json(path) if path.is_file() else {}
    info = ((data.get("metrics") or {}).get("map") or {}) if isinstance(data, dict) else {}
    description = info.get("description", "") if isinstance(info, dict) else ""
    if EXPECTED_TIES_NOTE in description:
        return ("MAP counts tied scores at their expected value over every order of the ties, so a baseline whose "
                "scores tie (majority, random) gets no credit from the order of the sentences in the file.")
    return ("MAP ranks tied scores in file order, as the CheckThat! scorer does: the MAP of a baseline whose scores tie "
            "(majority, random) reflects the order of the sentences in the file, not the model; rerun `checkworthy evaluate` "
            "to count ties at their expected value.")


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value)
    return str(value)


class _Markdown(str):
    """Text that is Markdown already (written here, not taken from the data): :func:`_cell` keeps its markup."""


def _text(value: Any) -> str:
    """Data as inert Markdown: on one line, with what Markdown or HTML would read as markup escaped.

    ``<``, ``>`` and an ``&`` that starts an entity become character references (so no
    tag, comment, autolink or marker comment is read); backslashes and backticks are
    backslash-escaped, and ``](`` becomes ``]\\(`` (no link or image). Other characters
    (quotes, ``*``, ``_``, ...) are kept, so ordinary text is unchanged.

    Examples
    --------
    >>> _text("<img src=x onerror=alert(1)> [x](javascript:alert(1))")
    '&lt;img src=x onerror=alert(1)&gt; [x]\\\\(javascript:alert(1))'
    """
    text = " ".join(str(value).splitlines())
    text = text.replace("\\", "\\\\").replace("`", "\\`")
    text = _ENTITY_START.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("](", "]\\(")


def _code(value: Any) -> _Markdown:
    """Data as a Markdown code span; as escaped text (:func:`_text`) when a code span cannot hold it."""
    text = str(value)
    return _Markdown(_text(text) if _NOT_IN_CODE.search(text) else f"`{text}`")


def _prose(value: Any) -> str:
    """A setting written by the dataset's owner: Markdown is kept, HTML (and so a marker comment) is not."""
    return _ENTITY_START.sub("&amp;", str(value)).replace("<", "&lt;")


def _inert_json(value: Any) -> str:
    """JSON for a fenced code block of the card, with ``<``, ``>`` and ``&`` as ``\\u`` escapes:
    the same JSON, in which no marker comment or tag can be read."""
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _cell(value: Any) -> str:
    """A table cell: :func:`_fmt` made inert with :func:`_text` (unless it is :class:`_Markdown`), with its pipes escaped."""
    text = value if isinstance(value, _Markdown) else _text(_fmt(value))
    return text.replace("|", "\\|").replace("\n", " ")


def _share(count: int, total: int) -> str:
    return f"{count} ({count / total:.1%})" if total else "0"


def _shorten(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."


def _split_rank(split: str) -> int:
    return SPLITS.index(split) if split in SPLITS else len(SPLITS)


def _with_interval(value: Any, interval: Any) -> str:
    if value is None:
        return "-"
    if isinstance(interval, (list, tuple)) and len(interval) == 2:
        return f"{_fmt(value)} [{_fmt(interval[0])}, {_fmt(interval[1])}]"
    if isinstance(interval, Mapping) and {"low", "high"} <= set(interval):
        return f"{_fmt(value)} [{_fmt(interval['low'])}, {_fmt(interval['high'])}]"
    return _fmt(value)


def _feature_type(feature: Any) -> str:
    from datasets import ClassLabel, Value  # 2.3 s to import

    if isinstance(feature, ClassLabel):
        return "class label: " + ", ".join(f"{i} = {n}" for i, n in enumerate(feature.names))
    if isinstance(feature, Value):
        return feature.dtype
    return type(feature).__name__ + (f" of {_feature_type(feature.feature)}" if hasattr(feature, "feature") else "")
