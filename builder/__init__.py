"""checkworthy.builder: the stages, articles -> sentences -> labeling tasks -> annotations ->
dataset versions -> card.

Each stage is a module; the names below are the public entry points (see the README's
"Python API"). The version store (:mod:`checkworthy.builder.store`) is the only way
the other floors read a dataset.
"""

from checkworthy.builder.annotations import read_annotations
from checkworthy.builder.articles import read_articles
from checkworthy.builder.build import BuildConfig, build_version
from checkworthy.builder.card import write_card
from checkworthy.builder.diff import diff_versions
from checkworthy.builder.labelstudio import StudioProject, pull_export, push_tasks
from checkworthy.builder.review import ReviewConfig, review_version
from checkworthy.builder.select import score_sentences
from checkworthy.builder.split import split_article
from checkworthy.builder.store import latest_version, list_versions, load_manifest, load_version, read_manifest, resolve_version_dir
from checkworthy.builder.tasks import make_tasks, write_tasks
from checkworthy.builder.validation import validate_file

__all__ = [
    "BuildConfig",
    "ReviewConfig",
    "StudioProject",
    "build_version",
    "diff_versions",
    "latest_version",
    "list_versions",
    "load_manifest",
    "load_version",
    "make_tasks",
    "pull_export",
    "push_tasks",
    "read_annotations",
    "read_articles",
    "read_manifest",
    "resolve_version_dir",
    "review_version",
    "score_sentences",
    "split_article",
    "validate_file",
    "write_card",
    "write_tasks",
]
