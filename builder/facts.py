"""The facts of a dataset version that its card and its Croissant file state.

:func:`collect_facts` reads a version directory once (``manifest.json``, the parquet
files, ``annotations.parquet``, ``evaluation/results.json``, the dataset's
``CHANGELOG.md``) into a :class:`VersionFacts`; ``checkworthy.builder.card`` and
``checkworthy.builder.croissant`` both render from it. The few statements the two files share
(how the labels were made, what the data says about people, the known biases) are
here too, so that the card and Croissant say the same thing.

Settings that are not in the records (pretty name, license, who made the labels, ...)
come from a :class:`CardConfig`: the defaults, overridden by ``<dataset>/card.json``
when it exists, overridden by the options given to ``write_card``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkworthy.builder.corpora import CHECKTHAT_LANGUAGES, CHECKTHAT_SPLITS
from checkworthy.builder.diff import changelog_text
from checkworthy.builder.language import normalise_language
from checkworthy.builder.store import load_manifest
from checkworthy.schemas import did_you_mean, load_scheme
from checkworthy.schemas.documents import Manifest
from checkworthy.schemas.errors import InputError, InputFileNotFoundError
from checkworthy.schemas.io import read_json
from checkworthy.schemas.records import Article
from checkworthy.schemas.rows import SPLITS

#: Dataset-level settings file, beside ``CHANGELOG.md`` (``<dataset>/card.json``).
CONFIG_FILENAME = "card.json"
CARD_FILENAME = "README.md"
RESULTS_PATH = Path("evaluation") / "results.json"

#: What each column of a split means; the card's field table and Croissant use it.
FIELD_DESCRIPTIONS = {
    "sentence_id": "Stable id of the sentence: article id plus a hash of the sentence text (and its occurrence number when the text repeats in the article).",
    "article_id": "Id of the article the sentence comes from, as given by the source.",
    "text": "The sentence, exactly as it appears in the article (`article.text[start:end]`).",
    "label": "Gold label, aggregated from the annotators' labels (a `ClassLabel` of the label scheme).",
    "votes": "Number of annotators who chose each label (a soft label), in label-scheme order.",
    "n_annotators": "Number of annotators who labeled the sentence.",
    "agreement": "Share of the sentence's annotators who chose the gold label.",
    "start": "Character offset of the sentence's first character in the article text.",
    "end": "Character offset just past the sentence's last character in the article text.",
    "label_source": "Where the gold label came from: majority, dawid-skene, ground_truth (a Label Studio ground-truth annotation), gold (a `build --gold` file), adjudication (`build --adjudication`) or corpus.",
    "role": "Where the sentence sits in the article: headline, body, caption, byline or boilerplate.",
    "source": "The article's source (outlet or corpus), when known.",
    "url": "The article's URL, when known.",
    "language": "The article's language (ISO 639-1 code), given by the input or detected.",
}

#: What the columns mean in a version built from a corpus (``build --from``), where they differ from
#: :data:`FIELD_DESCRIPTIONS`.
CORPUS_FIELD_DESCRIPTIONS = {
    "sentence_id": "The corpus's own id of the sentence (CheckThat!: `Sentence_id` or `tweet_id`; ClaimBuster: `Sentence_id`), kept as a string.",
    "article_id": "CheckThat!: the sentence id again (each tweet or sentence stands alone); ClaimBuster: the debate (`File_id` without `.txt`).",
    "text": "The text as the corpus file gives it (CSV quoting removed).",
    "label": "The corpus's label, mapped to the label scheme (a `ClassLabel`).",
    "votes": "The corpus's label one-hot, in label-scheme order (the corpus has one label per sentence, not individual votes).",
    "n_annotators": "Always 1: the corpus gives one label per sentence.",
    "agreement": "Always 1.0: there are no individual votes to disagree.",
    "start": "CheckThat!: 0; ClaimBuster: character offset of the sentence in its debate, rebuilt one sentence a line in `Line_number` order.",
    "end": "`start` plus the length of the text.",
    "label_source": "corpus (the corpus's label; ClaimBuster's `crowdsourced.csv`) or ground_truth (ClaimBuster's `groundtruth.csv`).",
    "role": "Always body: the corpus does not mark headlines or bylines.",
    "source": "Empty: the corpus names no outlet.",
    "url": "The tweet's URL (`tweet_url` of the CheckThat! tweet files); empty for sentences that are not tweets (`NA` in the file, the English and ClaimBuster debate sentences).",
    "language": "The language of the corpus files read (`build --language`; English for ClaimBuster).",
}

#: Longest table of pairs, annotators or leakage groups in the card; the rest is in the manifest.
MAX_TABLE_ROWS = 20
_SEMVER = re.compile(r"\b(\d+)\.(\d+)\.(\d+)\b")

#: The overall agreement figures of the manifest, with their names in the card and Croissant.
AGREEMENT_FIGURES = {
    "items": "items",
    "items_with_2plus_votes": "items with 2 or more votes",
    "votes": "votes",
    "annotators": "annotators",
    "percent": "percent agreement",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha (nominal)",
}

#: The settings of ``CardConfig`` that hold a list of strings (the others hold a string).
_LIST_SETTINGS = ("language", "source_datasets", "tags")

#: The form of a license id of the Hub (``cc-by-4.0``, ``apache-2.0``, ``other``, ...), lower case.
#: huggingface_hub ships no list of the ids the Hub accepts, so the form is checked, not the id.
LICENSE_ID = re.compile(r"[a-z0-9][a-z0-9.+-]*")
#: ``ORG/NAME`` of a dataset repository on the Hub.
HUB_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
#: One line of text: no control character and no line break (YAML also breaks lines at NEL, LS and PS).
_ONE_LINE = re.compile(r"[^\x00-\x1f\x7f\x85\u2028\u2029]+")


def _form_problems(data: Mapping[str, Any]) -> list[str]:
    """Problems with the settings that must be one line or an id: ``pretty_name``, ``license``, ``hub_repo``."""
    problems = []
    name = data.get("pretty_name")
    if isinstance(name, str) and not (_ONE_LINE.fullmatch(name) and name.strip() == name):
        problems.append(
            f"pretty_name (--pretty-name): expected one line of text without leading or trailing spaces (it becomes the "
            f"card's title and the YAML header's pretty_name), found {name!r}; remove the line breaks and control characters"
        )
    license = data.get("license")
    if isinstance(license, str) and not LICENSE_ID.fullmatch(license.lower()):
        problems.append(
            f"license (--license): expected a Hub license id such as cc-by-4.0, apache-2.0, cc0-1.0 or other (letters, digits, "
            f"'.', '+' and '-'; see https://huggingface.co/docs/hub/repositories-licenses), found {license!r}"
        )
    repo = data.get("hub_repo")
    if isinstance(repo, str) and not HUB_REPO.fullmatch(repo):
        problems.append(f"hub_repo: expected ORG/NAME of a Hub dataset repository (letters, digits, '_', '.', '-'), found {repo!r}")
    return problems


@dataclass(frozen=True)
class CardConfig:
    """Settings of the card that the version's records do not hold.

    Built with ``CardConfig(**data)`` so that a misspelt key fails loudly; read from
    ``<dataset>/card.json`` by :meth:`from_file`.

    Parameters
    ----------
    pretty_name : str, optional
        Human-readable name, one line; default ``"checkworthy: <dataset directory name>"``.
    license : str, optional
        A Hub license id (``cc-by-4.0``, ``apache-2.0``, ``other``, ...), of the form
        :data:`LICENSE_ID`. Default: the license stated in the articles' metadata when
        they all state the same valid id, else ``other`` (some state one) or ``unknown``.
    language : list of str, optional
        ISO 639-1/2/3 codes of the text. Default: the languages of the data (the
        ``language`` column), English for a version without that column.
    annotations_creators : str, optional
        One of the Hub's values (``crowdsourced``, ``expert-generated``, ...). Default:
        what is known of the corpus for a ``build --from`` version (see
        :func:`corpus_card_metadata`), else ``expert-generated``.
    language_creators : str, default="found"
        Who wrote the text (``found`` for news articles).
    source_datasets : list of str, optional
        Default: the corpus a ``build --from`` version derives from (see
        :func:`corpus_card_metadata`), else ``["original"]``.
    curators : str, optional
        Who curated the dataset.
    annotators : str, optional
        Who made the labels, in a sentence; printed in the card and Croissant.
    annotator_demographics : str, optional
        Self-reported demographics of the annotators, when known.
    articles_note : str, optional
        A note on the source articles (for example that they are fictional).
    hub_repo : str, optional
        ``ORG/NAME`` (:data:`HUB_REPO`) of the dataset on the Hugging Face Hub, for the loading example.
    homepage, repository, contact : str, optional
    citation_bibtex : str, optional
        How to cite this dataset, as BibTeX.
    tags : list of str, default=["fact-checking", "check-worthiness"]
    config_version : int, default=1
        Version of this settings format.
    """

    pretty_name: str | None = None
    license: str | None = None
    language: list[str] | None = None
    annotations_creators: str | None = None
    language_creators: str = "found"
    source_datasets: list[str] | None = None
    curators: str | None = None
    annotators: str | None = None
    annotator_demographics: str | None = None
    articles_note: str | None = None
    hub_repo: str | None = None
    homepage: str | None = None
    repository: str | None = None
    contact: str | None = None
    citation_bibtex: str | None = None
    tags: list[str] = field(default_factory=lambda: ["fact-checking", "check-worthiness"])
    config_version: int = 1

    def __post_init__(self):
        problems = _form_problems(dataclasses.asdict(self))
        if problems:
            raise InputError([f"card settings: {p}" for p in problems])

    @classmethod
    def from_file(cls, path: str | Path) -> CardConfig:
        """Read a JSON settings file; an unknown key is an error that names the known ones."""
        data = read_json(path)
        if not isinstance(data, dict):
            raise InputError(f"{path}: expected a JSON object of card settings, found {type(data).__name__}")
        return cls.from_mapping(data, where=str(path))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "card settings") -> CardConfig:
        """Build from a mapping; unknown keys and values of the wrong type are all listed."""

        known = [f.name for f in dataclasses.fields(cls)]
        problems = [f"unknown setting {key!r}.{did_you_mean(key, known)}" for key in data if key not in known]
        for key, value in data.items():
            if key in _LIST_SETTINGS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                problems.append(f"{key}: expected a list of strings, e.g. [\"en\"]; found {value!r}")
            elif key == "config_version" and value != 1:
                problems.append(f"config_version: expected 1, found {value!r}")
            elif key in known and key not in _LIST_SETTINGS and key != "config_version" and not isinstance(value, (str, type(None))):
                problems.append(f"{key}: expected a string, found {value!r}")
        data = dict(data)
        if isinstance(data.get("language"), list) and all(isinstance(v, str) for v in data["language"]):
            codes = []
            for code in data["language"]:  # read as 'tasks --language' reads a code: 'spa' and 'es-ES' are 'es'
                try:
                    codes.append(normalise_language(code, "language"))
                except InputError as exc:
                    problems += exc.problems
            data["language"] = codes
        problems += _form_problems(data)
        if problems:
            raise InputError([f"{where}: {p}" for p in problems], header=f"{where}: expected the settings {', '.join(known)}")
        return cls(**data)

    def updated(self, **options: Any) -> CardConfig:
        """A copy with the options that are not None applied."""
        return dataclasses.replace(self, **{k: v for k, v in options.items() if v is not None})


@dataclass(frozen=True)
class ArticleFacts:
    """What the card says about the source articles of a version, from their metadata.

    The articles are not part of a version, so these facts are recorded in the card's
    YAML (key ``checkworthy``, ``articles``) and read back when the card is
    regenerated without the articles (for example by ``evaluate``).

    Parameters
    ----------
    n_articles : int
        Articles with at least one sentence in the version.
    licenses : tuple of str
        The distinct ``meta["license"]`` values, lower case (Hub license ids), sorted.
    n_licensed : int
        Articles whose metadata states a license.
    n_fictional : int
        Articles whose metadata says ``"fictional": true``.
    n_sources : int
        Distinct sources (outlets).
    sources : tuple of str
        The first ``MAX_TABLE_ROWS`` sources, sorted.
    published : tuple of str
        Earliest and latest publication day (``YYYY-MM-DD``, see :func:`publication_day`),
        when any article has a readable ``published`` date.
    n_undated : int
        Articles with no ``published`` date or one that cannot be read as a date
        (recorded in the YAML only when not 0, so cards made before it was counted
        read back unchanged).
    """

    n_articles: int
    licenses: tuple[str, ...] = ()
    n_licensed: int = 0
    n_fictional: int = 0
    n_sources: int = 0
    sources: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    n_undated: int = 0

    @classmethod
    def from_articles(cls, articles: Iterable[Article], article_ids: set[str]) -> ArticleFacts:
        """Summarise the articles whose id is in ``article_ids`` (the others are not in the version).

        An ``UnreadableDateWarning`` lists the articles whose ``published`` value is not a date.
        """
        n = n_licensed = n_fictional = 0
        licenses, sources, days = set(), set(), set()
        unreadable: dict[str, str] = {}
        undated = 0
        for article in articles:
            if article.article_id not in article_ids:
                continue
            n += 1
            n_fictional += bool(article.meta.get("fictional"))
            if article.meta.get("license"):
                n_licensed += 1
                licenses.add(str(article.meta["license"]).lower())
            if article.source:
                sources.add(article.source)
            day = publication_day(article.published)
            if day is not None:
                days.add(day)
                continue
            undated += 1
            if article.published:
                unreadable[article.article_id] = article.published
        if unreadable:
            listed = ", ".join(f"{article_id} ({value!r})" for article_id, value in sorted(unreadable.items())[:MAX_TABLE_ROWS])
            more = f" and {len(unreadable) - MAX_TABLE_ROWS} more" if len(unreadable) > MAX_TABLE_ROWS else ""
            warnings.warn(
                f"{len(unreadable)} article(s) with a 'published' value that is not a date, left out of the card's publication dates: "
                f"{listed}{more}; write the date as YYYY-MM-DD (ISO 8601), with the time if you like, e.g. 2019-11-19T05:44:06+00:00",
                UnreadableDateWarning,
                stacklevel=2,
            )
        span = (min(days), max(days)) if days else ()
        return cls(
            n_articles=n,
            licenses=tuple(sorted(licenses)),
            n_licensed=n_licensed,
            n_fictional=n_fictional,
            n_sources=len(sources),
            sources=tuple(sorted(sources)[:MAX_TABLE_ROWS]),
            published=span,
            n_undated=undated,
        )

    @classmethod
    def from_card(cls, path: Path) -> ArticleFacts | None:
        """The facts recorded in an existing card, or None when it has none."""
        from huggingface_hub import DatasetCard  # 0.5 s to import

        if not path.is_file():
            return None
        recorded = (DatasetCard.load(path).data.get("checkworthy") or {}).get("articles")
        if recorded is None:
            return None
        known = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(recorded, dict) or set(recorded) - set(known):
            raise InputError(
                f"{path}: YAML checkworthy.articles: expected the keys {', '.join(known)}, found {recorded!r}; "
                "remove the key, or regenerate the card with the articles (checkworthy card ... --articles FILE)"
            )
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in recorded.items()})

    def to_yaml(self) -> dict[str, Any]:
        recorded = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}
        if not self.n_undated:
            del recorded["n_undated"]
        return recorded


class UnreadableDateWarning(UserWarning):
    """An article's ``published`` value cannot be read as a date; the card leaves it out of the publication dates."""


def publication_day(published: str | None) -> str | None:
    """The day of a ``published`` value as ``YYYY-MM-DD``, or None when there is none or it is not a date.

    The day is the one written, in the value's own time zone (``2025-03-06T23:30:00-05:00``
    is 2025-03-06): the date of publication where it was published. Values are read by
    pandas (ISO 8601, ``Tue Nov 19 2019 05:44:06 GMT+0000``, ``November 20, 2019 13:42``,
    ``19.11.2019``, ...); an ambiguous ``03/06/2025`` is read month first. A value without
    a digit (``today``, ``now``, which pandas would read as the current time) is not a date.

    Examples
    --------
    >>> publication_day("Tue Nov 19 2019 05:44:06 GMT+0000")
    '2019-11-19'
    >>> publication_day("November 20, 2019 13:42")
    '2019-11-20'
    >>> publication_day("yesterday") is None
    True
    """
    if not published or not any(char.isdigit() for char in published):
        return None
    return _parse_day(published.strip())


@functools.lru_cache(maxsize=4096)
def _parse_day(value: str) -> str | None:
    import pandas as pd  # 0.5 s to import

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' note that a day-first value was read day first
        try:
            stamp = pd.to_datetime(value)
        except (ValueError, OverflowError):  # pandas' DateParseError and OutOfBoundsDatetime are ValueErrors
            return None
    return None if pd.isna(stamp) else stamp.date().isoformat()


@dataclass(frozen=True)
class VersionFacts:
    """Everything the card and the Croissant file say about one dataset version.

    Read once by :func:`collect_facts`; the renderers trust it.
    """

    version_dir: Path
    dataset_dir: Path
    manifest: Manifest
    scheme: Any
    config: CardConfig
    features: Any
    split_files: dict[str, Path]
    split_sizes: dict[str, int]
    label_counts: dict[str, dict[str, int]]
    annotator_counts: dict[str, dict[int, int]]
    n_annotators_total: int | None
    example: dict[str, Any]
    results: list[dict[str, Any]]
    threshold_tuned_on: str | None
    changelog: str
    articles: ArticleFacts | None
    language_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    result_warnings: list[str] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        """The card's and Croissant's languages: the settings' list, else the data's, else English."""
        return list(self.config.language or sorted(self.language_counts) or ["en"])

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def n_examples(self) -> int:
        return sum(self.split_sizes.values())

    @property
    def pretty_name(self) -> str:
        return self.config.pretty_name or f"checkworthy: {self.dataset_dir.name}"

    @property
    def annotations_creators(self) -> list[str] | None:
        """The card's ``annotations_creators``: the setting, else what is known of the corpus, else
        ``expert-generated``; None when the corpus does not say who labeled it (the key is left out)."""
        if self.config.annotations_creators:
            return [self.config.annotations_creators]
        known = corpus_card_metadata(self.manifest)
        return known[0] if known is not None else ["expert-generated"]

    @property
    def source_datasets(self) -> list[str]:
        """The card's ``source_datasets``: the setting, else the corpus a ``build --from`` version derives from, else ``original``."""
        if self.config.source_datasets is not None:
            return list(self.config.source_datasets)
        known = corpus_card_metadata(self.manifest)
        return known[1] if known is not None else ["original"]

    @property
    def license(self) -> str:
        if self.config.license:
            return self.config.license.lower()
        articles = self.articles
        if articles and len(articles.licenses) == 1 and articles.n_licensed == articles.n_articles and LICENSE_ID.fullmatch(articles.licenses[0]):
            return articles.licenses[0]
        return "other" if articles and articles.licenses else "unknown"


def load_config(dataset_dir: Path) -> CardConfig:
    """The card settings of a dataset: ``<dataset>/card.json`` if present, else the defaults."""
    path = dataset_dir / CONFIG_FILENAME
    return CardConfig.from_file(path) if path.is_file() else CardConfig()


def collect_facts(
    version_dir: str | Path,
    config: CardConfig | None = None,
    articles: Iterable[Article] | None = None,
) -> VersionFacts:
    """Read what the card and Croissant need from a version directory.

    Parameters
    ----------
    version_dir : path-like
        ``<dataset>/versions/X.Y.Z``.
    config : CardConfig, optional
        Default: :func:`load_config` of the dataset directory.
    articles : iterable of Article, optional
        The source articles; their metadata gives the license and whether they are
        fictional.

    Returns
    -------
    VersionFacts

    Raises
    ------
    InputFileNotFoundError
        The version has no manifest or no split files.
    InputError
        A split has no ``label`` column or the results file is malformed.
    """
    import pyarrow.compute as pc  # 0.3 s to import
    import pyarrow.parquet as pq  # 0.3 s to import
    from datasets import ClassLabel, Features  # 2.3 s to import

    version_dir = Path(version_dir)
    dataset_dir = version_dir.parent.parent
    manifest = load_manifest(version_dir)
    scheme = load_scheme(manifest.scheme)
    split_files = _split_files(version_dir)

    first = pq.read_schema(next(iter(split_files.values())))
    features = Features.from_arrow_schema(first)
    if "label" not in features:
        raise InputError(
            f"{next(iter(split_files.values()))}: expected a 'label' column, found {', '.join(features)}; "
            "rebuild the version with 'checkworthy build'"
        )
    if not isinstance(features["label"], ClassLabel):
        features["label"] = scheme.class_label()
    names = features["label"].names

    split_sizes, label_counts, annotator_counts, article_ids = {}, {}, {}, set()
    language_counts: dict[str, dict[str, int]] = {}
    for split, path in split_files.items():
        table = pq.read_table(path, columns=[c for c in ("label", "n_annotators", "article_id", "language") if c in features])
        split_sizes[split] = table.num_rows
        if "article_id" in features:
            article_ids.update(pc.unique(table["article_id"]).to_pylist())
        counts = {row["values"]: row["counts"] for row in pc.value_counts(table["label"]).to_pylist()}
        label_counts[split] = {name: int(counts.get(i, 0)) for i, name in enumerate(names)}
        if "n_annotators" in features:
            per_item = {row["values"]: row["counts"] for row in pc.value_counts(table["n_annotators"]).to_pylist()}
            annotator_counts[split] = dict(sorted((int(k), int(v)) for k, v in per_item.items()))
        if "language" in features:
            for language, label in zip(table["language"].to_pylist(), table["label"].to_pylist()):
                if language:
                    counts_of = language_counts.setdefault(language, dict.fromkeys(names, 0))
                    counts_of[names[label]] += 1

    example = {}
    non_empty = [split for split in split_files if split_sizes[split]]
    if non_empty:
        example = next(pq.ParquetFile(split_files[non_empty[0]]).iter_batches(batch_size=1)).to_pylist()[0]

    annotations = version_dir / "annotations.parquet"
    n_annotators_total = None
    if annotations.is_file() and "annotator" in pq.read_schema(annotations).names:
        n_annotators_total = len(pc.unique(pq.read_table(annotations, columns=["annotator"])["annotator"]))

    results, threshold_tuned_on, result_warnings = _read_results(version_dir / RESULTS_PATH, manifest.fingerprint)
    return VersionFacts(
        version_dir=version_dir,
        dataset_dir=dataset_dir,
        manifest=manifest,
        scheme=scheme,
        config=config if config is not None else load_config(dataset_dir),
        features=features,
        split_files=split_files,
        split_sizes=split_sizes,
        label_counts=label_counts,
        annotator_counts=annotator_counts,
        n_annotators_total=n_annotators_total,
        example=example,
        results=results,
        threshold_tuned_on=threshold_tuned_on,
        changelog=_changelog_upto(_changelog(dataset_dir, version_dir), manifest.version),
        articles=(
            ArticleFacts.from_articles(articles, article_ids)
            if articles is not None
            else ArticleFacts.from_card(version_dir / CARD_FILENAME)
        ),
        language_counts=dict(sorted(language_counts.items())),
        result_warnings=result_warnings,
    )


def _split_files(version_dir: Path) -> dict[str, Path]:
    data = version_dir / "data"
    found = {p.stem: p for p in sorted(data.glob("*.parquet"))} if data.is_dir() else {}
    if not found:
        raise InputFileNotFoundError(
            f"{data}: expected the split files train.parquet, validation.parquet, test.parquet, found none; "
            "is this a dataset version written by 'checkworthy build'?"
        )
    order = {name: i for i, name in enumerate(SPLITS)}
    return dict(sorted(found.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def _read_results(path: Path, fingerprint: str | None) -> tuple[list[dict[str, Any]], str | None, list[str]]:
    """The entries of ``evaluation/results.json`` (``[]`` when evaluation has not run),
    the split the decision thresholds were tuned on (``None``: no threshold tuned) and the
    results' warnings (such as an English-only model run on another language).

    Raises
    ------
    InputError
        The file is not results of ``checkworthy evaluate``, or was computed on
        another dataset fingerprint.
    """
    if not path.is_file():
        return [], None, []
    data = read_json(path)
    entries = data.get("results") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected an object with a 'results' list (written by 'checkworthy evaluate'), found {type(data).__name__}")
    scored = (data.get("dataset") or {}).get("fingerprint")
    if scored and fingerprint and scored != fingerprint:
        raise InputError(
            f"{path}: the results were computed on dataset fingerprint {scored}, but this version has {fingerprint}; "
            "rerun 'checkworthy evaluate' on this version"
        )
    bad = [
        str(i)
        for i, entry in enumerate(entries)
        if not isinstance(entry, dict) or not {"baseline", "split", "metrics"} <= set(entry)
    ]
    if bad:
        raise InputError(
            f"{path}: results {', '.join(bad)} lack 'baseline', 'split' or 'metrics'; "
            "rerun 'checkworthy evaluate' to rewrite the file"
        )
    warnings = [str(w) for w in data.get("warnings") or []]
    return entries, (data.get("settings") or {}).get("threshold_tuned_on", "validation"), warnings


def _changelog(dataset_dir: Path, version_dir: Path) -> str:
    """The dataset's changelog, made from its versions (:func:`~checkworthy.builder.diff.changelog_text`);
    ``version_dir`` counts too when it is not in ``versions/`` yet (a build in progress)."""
    return changelog_text(dataset_dir, pending=version_dir)


def _changelog_upto(text: str, version: str) -> str:
    """The parts of the changelog ``text`` about ``version`` and earlier versions.

    The file is split at the headings that name a version (``## 1.1.0``); a part about
    a later version is left out, so that a card does not change when later versions
    are built. Headings are moved under the card's ``## Changelog``.
    """
    current = _version_key(version)
    parts = re.split(r"(?m)^(?=#{1,6} [^\n]*\b\d+\.\d+\.\d+\b)", text)
    kept = []
    for part in parts[1:]:
        named = _SEMVER.search(part.splitlines()[0])
        if _version_key(named.group(0)) <= current:
            kept.append(re.sub(r"(?m)^(#{1,6}) ", lambda h: "#" * min(6, max(3, len(h.group(1)) + 1)) + " ", part.strip()))
    return "\n\n".join(kept)


def _version_key(version: str) -> tuple[int, ...]:
    named = _SEMVER.search(version)
    return tuple(int(x) for x in named.groups()) if named else ()


def scheme_sentence(facts: VersionFacts) -> str:
    """The label scheme, named in a phrase (shared by the card and Croissant)."""
    scheme = facts.scheme
    return f"the `{scheme.name}` label scheme ({scheme.title}: {', '.join(scheme.names)})"


#: Where the rows of the CheckThat! 2024 Task 1 files of each language come from, as a noun phrase
#: that reads after "sentences from" and "the sentences come from" (so it does not start with "sentences").
CHECKTHAT_TEXT = {
    "en": "US political debate transcripts (CheckThat! 2024 Task 1, English)",
    "ar": "Arabic tweets (CheckThat! 2024 Task 1; a row is a whole tweet)",
    "nl": "Dutch tweets (CheckThat! 2024 Task 1; a row is a whole tweet)",
    "es": "Spanish tweets and political debate and speech transcripts (CheckThat! 2024 Task 1; a tweet row is a whole tweet)",
}

#: The name of the CheckThat! corpus in ``source_datasets`` (the Hub convention: the dataset a card's data derives from).
CHECKTHAT_SOURCE = "CheckThat! 2024 Task 1"
CLAIMBUSTER_SOURCE = "ClaimBuster"
#: Who labeled each ClaimBuster file (Arslan et al. 2020): coders recruited for the project, and experts.
CLAIMBUSTER_CREATORS = {"crowdsourced": "crowdsourced", "groundtruth": "expert-generated"}
#: Who labeled each CheckThat! 2024 English file, by split: train is ClaimBuster's ``crowdsourced.csv``
#: and dev its ``groundtruth.csv`` (the same ids and labels); the files do not say who labeled dev-test,
#: nor the Arabic, Dutch and Spanish files.
CHECKTHAT_EN_CREATORS = {"train": "crowdsourced", "validation": "expert-generated"}


#: Who wrote the text of each CheckThat! language, for the card's "source data producers".
CHECKTHAT_PRODUCERS = {
    "en": "The speakers of the US political debates whose transcripts ClaimBuster collected (the CheckThat! English files are "
          "ClaimBuster's sentences); the files name no speaker.",
    "ar": "The authors of the tweets, reached through the tweet's `url`; the CheckThat! lab collected and labeled them.",
    "nl": "The authors of the tweets, reached through the tweet's `url`; the CheckThat! lab collected and labeled them.",
    "es": "The authors of the tweets, reached through the tweet's `url`, and the speakers of the transcribed debates and speeches "
          "(their rows have no url); the CheckThat! lab collected and labeled them.",
}


@dataclass(frozen=True)
class CorpusFacts:
    """What a version built from a corpus (``build --from``) is, for the card's and Croissant's prose.

    Parameters
    ----------
    kind : {"checkthat", "claimbuster"}
    text : str
        What the rows are, as a noun phrase ("Arabic tweets (CheckThat! 2024 Task 1)").
    producers : str
        Who wrote the text, in a sentence.
    split_files : tuple of (str, str)
        ``(split, file name)`` of a corpus whose files are its splits (CheckThat!); empty when
        the splits are assigned by hash (ClaimBuster, by debate).
    urls : bool
        Whether the rows have a ``url`` (the CheckThat! tweet files).
    group : str
        What a split group is when the splits are assigned by hash ("debate").
    skipped_artefacts, skipped_copies : int
        Rows left out (``skipped`` in the manifest): texts that are a spreadsheet artefact
        (``#NAME?``), and copies of a sentence whose id and text are also in a later split file.
    n_problems : int
        Data problems kept (``corpus_problems`` in the manifest).
    removed : dict
        Split -> sentences that ``--dedupe`` removed from it (splits without any left out).
    """

    kind: str
    text: str
    producers: str
    split_files: tuple[tuple[str, str], ...] = ()
    urls: bool = False
    group: str = "debate"
    skipped_artefacts: int = 0
    skipped_copies: int = 0
    n_problems: int = 0
    removed: dict[str, int] = field(default_factory=dict)


def corpus_facts(facts: VersionFacts) -> CorpusFacts | None:
    """What the corpus of a ``build --from`` version is; None for a version built from Label Studio exports."""
    manifest = facts.manifest
    kind = manifest.settings.get("corpus")
    if not kind:
        return None
    skipped = manifest.skipped
    common = dict(
        skipped_artefacts=sum(s.get("field") == "text" for s in skipped),
        skipped_copies=sum(s.get("field") == "id" for s in skipped),
        n_problems=len(manifest.corpus_problems),
        removed=_removed_per_split(manifest),
    )
    if kind == "checkthat":
        language = manifest.settings.get("language", "en")
        files = _corpus_files(manifest)
        return CorpusFacts(kind, CHECKTHAT_TEXT[language], CHECKTHAT_PRODUCERS[language],
                           tuple((split, files[split]) for split in SPLITS if split in files), urls=language != "en", **common)
    if kind == "claimbuster":
        return CorpusFacts(kind, "US presidential debate transcripts (ClaimBuster)",
                           "The candidates and moderators of the US presidential debates transcribed in ClaimBuster (the debate is "
                           "the `article_id`); ClaimBuster's authors had the sentences labeled.", **common)
    return CorpusFacts(kind, f"the `{kind}` corpus", "The authors of the corpus's texts, as its documentation describes them.", **common)


def _removed_per_split(manifest: Manifest) -> dict[str, int]:
    """Split -> sentences ``--dedupe`` removed from it, from the leakage report's ids per split."""
    removed = set(manifest.leakage.removed)
    counts: dict[str, int] = {}
    for item in manifest.leakage.items:
        for split, ids in (item.get("sentence_ids") or {}).items():
            n = len(removed.intersection(ids))
            if n:
                counts[split] = counts.get(split, 0) + n
    return {split: counts[split] for split in SPLITS if split in counts}


def field_descriptions(facts: VersionFacts) -> dict[str, str]:
    """What each column means, in the card's field table and Croissant: a corpus build's own where they differ."""
    if facts.manifest.settings.get("corpus"):
        return {**FIELD_DESCRIPTIONS, **CORPUS_FIELD_DESCRIPTIONS}
    return FIELD_DESCRIPTIONS


def text_source(facts: VersionFacts) -> str:
    """Where the sentences come from, as the card says it: news articles, or a corpus's texts.

    Examples
    --------
    >>> text_source(facts)  # doctest: +SKIP
    'news articles'
    """
    corpus = corpus_facts(facts)
    return corpus.text if corpus else "news articles"


def labeling_statement(facts: VersionFacts) -> str:
    """How the labels were made, in one or two sentences (shared by the card and Croissant)."""
    corpus = facts.manifest.settings.get("corpus")
    if corpus:
        return (f"The labels are those distributed with the `{corpus}` corpus, mapped to {scheme_sentence(facts)}. "
                + _corpus_labelers(facts.manifest)).strip()
    return f"Sentences were labeled in Label Studio with {scheme_sentence(facts)}."


def _corpus_files(manifest: Manifest) -> dict[str, str]:
    """The corpus files a ``build --from`` version read, by what they are: a CheckThat! split
    (``train``, ``validation``, ``test``) or a ClaimBuster file (``crowdsourced``, ``groundtruth``)."""
    found: dict[str, str] = {}
    for item in manifest.inputs.get("corpus", []):
        stem = Path(item["name"]).stem.lower()
        if manifest.settings.get("corpus") == "claimbuster":
            if stem in CLAIMBUSTER_CREATORS:
                found.setdefault(stem, item["name"])
            continue
        for part, split in sorted(CHECKTHAT_SPLITS.items(), key=lambda kv: -len(kv[0])):
            if stem.endswith(f"_{part}") or stem == part:
                found.setdefault(split, item["name"])
                break
    return found


def corpus_card_metadata(manifest: Manifest) -> tuple[list[str] | None, list[str]] | None:
    """``annotations_creators`` and ``source_datasets`` of a ``build --from`` version, from what is known of
    its corpus; None for a version built from Label Studio exports.

    ClaimBuster's ``crowdsourced.csv`` was labeled by coders recruited for the project (crowdsourced) and
    ``groundtruth.csv`` by experts (Arslan et al. 2020). The CheckThat! 2024 English train and dev files
    are those two ClaimBuster files; the files do not say who labeled English dev-test or the Arabic,
    Dutch and Spanish files, so only what is known is listed (None: the key is left out of the card).
    """
    kind = manifest.settings.get("corpus")
    if not kind:
        return None
    files = _corpus_files(manifest)
    if kind == "claimbuster":
        creators = sorted({CLAIMBUSTER_CREATORS[name] for name in files})
        return creators or None, [CLAIMBUSTER_SOURCE]
    if kind == "checkthat":
        if manifest.settings.get("language", "en") != "en":
            return None, [CHECKTHAT_SOURCE]
        creators = sorted({CHECKTHAT_EN_CREATORS[split] for split in files if split in CHECKTHAT_EN_CREATORS})
        return creators or None, [CHECKTHAT_SOURCE, CLAIMBUSTER_SOURCE]
    return None, [kind]


def _corpus_labelers(manifest: Manifest) -> str:
    """Who labeled the corpus files the version read, as far as it is known (see :func:`corpus_card_metadata`)."""
    kind = manifest.settings.get("corpus")
    files = _corpus_files(manifest)
    if kind == "claimbuster":
        parts = [f"`{files['crowdsourced']}` was labeled by coders ClaimBuster's authors recruited (crowdsourced)"] if "crowdsourced" in files else []
        parts += [f"`{files['groundtruth']}` by experts" if parts else f"`{files['groundtruth']}` was labeled by experts"] if "groundtruth" in files else []
        return f"{', '.join(parts)} (Arslan et al. 2020)." if parts else ""
    if kind == "checkthat" and manifest.settings.get("language", "en") == "en":
        parts = [f"`{files['train']}` is ClaimBuster's crowd-labeled `crowdsourced.csv`"] if "train" in files else []
        parts += [f"`{files['validation']}` its expert-labeled `groundtruth.csv`"] if "validation" in files else []
        unknown = " The files do not say who labeled dev-test." if "test" in files else ""
        return (f"{'; '.join(parts)}." if parts else "") + unknown
    if kind == "checkthat":
        return "The corpus files do not say who labeled them (see the CheckThat! 2024 overview, Hasanain et al. 2024)."
    return ""


def personal_information(facts: VersionFacts) -> str:
    """What the data says about people (shared by the card and Croissant)."""
    corpus = corpus_facts(facts)
    if corpus:
        tweets = " Tweets are public posts of their authors, named by the tweet's `url`." if corpus.urls else ""
        return (f"The text comes from {corpus.text}: it names public figures and sometimes private persons, and reports statements "
                f"about them; no anonymisation was applied to it.{tweets} The corpus has no individual annotations, so no "
                "annotator is named or pseudonymised.")
    articles = facts.articles
    pseudonyms = "Annotators are pseudonymised in `annotations.parquet`."
    real_news = (
        "News sentences name public figures and sometimes private persons, and report statements about them; "
        "no further anonymisation was applied to the text."
    )
    if articles and articles.n_articles and articles.n_fictional == articles.n_articles:
        return f"The articles are fictional: the names in them belong to invented people. {pseudonyms}"
    if articles and articles.n_fictional:
        rest = articles.n_articles - articles.n_fictional
        return (
            f"{articles.n_fictional} of the {articles.n_articles} articles are fictional (invented people); "
            f"the other {rest} {'is' if rest == 1 else 'are'} real news. {real_news} {pseudonyms}"
        )
    return f"{real_news} {pseudonyms}"


def bias_statements(facts: VersionFacts) -> list[str]:
    """Known biases and limitations, shared by the card and Croissant's ``rai:`` fields."""
    corpus = corpus_facts(facts)
    if corpus:
        statements = [
            "Check-worthiness is a judgement: what the public would want checked depends on the annotators, the "
            "time and the place. The corpus gives one label per sentence and no agreement figures, so how far its "
            "annotators agreed is not known from this dataset.",
            f"The sentences are those the corpus's authors collected ({corpus.text}), so the label distribution is "
            "theirs, not that of all such texts; it can differ between the splits.",
        ]
    else:
        statements = [
            "Check-worthiness is a judgement: what the public would want checked depends on the annotators, the "
            "time and the place. The agreement figures in the card and the manifest show how far the annotators agreed.",
            "Only candidate sentences selected by the pipeline were labeled, so the label distribution is not the "
            "distribution of all sentences in news.",
        ]
    articles = facts.articles
    if articles and articles.n_fictional:
        share = "The articles are" if articles.n_fictional == articles.n_articles else f"{articles.n_fictional} of the {articles.n_articles} articles are"
        statements.append(
            f"{share} fictional and written for this project: their topics, style and length are narrower "
            "than real news, and scores on them do not predict scores on real articles."
        )
    if facts.n_examples < 1000:
        statements.append(
            f"The dataset is small ({facts.n_examples} sentences): scores have wide confidence intervals."
        )
    if articles and articles.n_sources == 1:
        statements.append(f"All articles come from one source ({articles.sources[0]}).")
    if facts.languages == ["en"]:
        statements.append("All text is English; models trained on it are not expected to transfer to other languages.")
    if corpus:
        statements.append(f"The text and labels come from {corpus.text}, as its authors distribute them, for research: "
                          "check their terms of use before publishing or redistributing this dataset.")
    missing = [w for w in facts.manifest.warnings if w.startswith("language ")]  # a language without rows in a split (build)
    if missing:
        statements.append("Not every language is in every split (" + "; ".join(w.split(": its results")[0] for w in missing)
                          + "), so its label balance and results cannot be reported per language there.")
    return statements

