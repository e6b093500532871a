"""``checkworthy publish``: dry-run listing, tag refusal before upload, the token never shown.

The Hub cannot be reached from the tests, so ``HfApi`` is replaced by a stand-in that
records the calls; everything else is real.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from huggingface_hub.errors import RepositoryNotFoundError

from checkworthy.builder.card import write_card
from checkworthy.builder.facts import CardConfig
from checkworthy.builder.publish import publish_version
from checkworthy.cli import main
from checkworthy.schemas.errors import InputError, PublishError
from checkworthy.schemas.io import sha256_file

TOKEN = "hf_fake_token_never_shown_0123456789"


class StandInApi:
    """Records calls in the order the real ``HfApi`` would receive them."""

    def __init__(self, tags=(), repo_exists=True, fail_upload=None):
        self.tags, self.repo_exists, self.fail_upload = list(tags), repo_exists, fail_upload
        self.calls = []

    def list_repo_refs(self, repo_id, *, repo_type):
        self.calls.append(("list_repo_refs", repo_id, repo_type))
        if not self.repo_exists:
            raise RepositoryNotFoundError("404", response=SimpleNamespace(headers={}, status_code=404, request=None))
        return SimpleNamespace(tags=[SimpleNamespace(name=t) for t in self.tags], branches=[])

    def create_repo(self, repo_id, *, repo_type, private, exist_ok):
        self.calls.append(("create_repo", repo_id, repo_type, private))

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", kwargs["repo_id"], sorted(kwargs["allow_patterns"])))
        if self.fail_upload:
            raise self.fail_upload
        return SimpleNamespace(oid="c0ffee")

    def create_tag(self, repo_id, *, tag, tag_message, revision, repo_type):
        self.calls.append(("create_tag", repo_id, tag, revision))


@pytest.fixture(autouse=True)
def hub_token(monkeypatch, tmp_path):
    """A fake token in ``HF_TOKEN``, and no saved login of the machine's user."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-saved-token"))
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setenv("HF_TOKEN", TOKEN)


@pytest.fixture
def carded(version_dir):
    write_card(version_dir)
    return version_dir


def test_dry_run_lists_every_file_with_size_and_sha256(carded, capsys):
    assert main(["publish", f"{carded.parent.parent}@1.0.0", "--repo", "org/claims", "--dry-run"]) == 0
    out = capsys.readouterr().out
    files = sorted(p for p in carded.rglob("*") if p.is_file())
    assert len(files) == 7
    for path in files:
        line = next(l for l in out.splitlines() if l.strip().startswith(path.relative_to(carded).as_posix() + " "))
        assert f"{path.stat().st_size} B" in line and sha256_file(path) in line
    assert "tag the commit '1.0.0'" in out


def test_a_card_without_license_is_published_with_a_warning(version_dir, capsys):
    import warnings

    from checkworthy.builder.publish import MissingLicenseWarning

    write_card(version_dir)  # the fixture's articles state no license: 'unknown'
    with pytest.warns(MissingLicenseWarning, match=r"license is unknown.*checkworthy card .* --license ID"):
        assert main(["publish", str(version_dir), "--repo", "org/claims", "--dry-run"]) == 0
    write_card(version_dir, config=CardConfig(license="cc-by-4.0"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingLicenseWarning)
        assert main(["publish", str(version_dir), "--repo", "org/claims", "--dry-run"]) == 0


def test_publish_uploads_then_tags(carded):
    api = StandInApi(repo_exists=False)
    assert publish_version(carded, "org/claims", private=True, api=api) == "c0ffee"
    assert [c[0] for c in api.calls] == ["list_repo_refs", "create_repo", "upload_folder", "create_tag"]
    assert api.calls[1] == ("create_repo", "org/claims", "dataset", True)
    assert "data/train.parquet" in api.calls[2][2] and "README.md" in api.calls[2][2]
    assert api.calls[3] == ("create_tag", "org/claims", "1.0.0", "c0ffee")


def test_existing_tag_is_refused_before_any_upload(carded):
    api = StandInApi(tags=["1.0.0"])
    with pytest.raises(PublishError, match=r"tag '1.0.0' exists already"):
        publish_version(carded, "org/claims", api=api)
    assert [c[0] for c in api.calls] == ["list_repo_refs"]


def test_missing_token_is_refused_before_any_call(carded, monkeypatch):
    monkeypatch.delenv("HF_TOKEN")
    api = StandInApi()
    with pytest.raises(PublishError, match=r"no Hugging Face token found; set HF_TOKEN .* or run 'hf auth login'"):
        publish_version(carded, "org/claims", api=api)
    assert api.calls == []


def test_token_never_appears_in_output(carded, capsys):
    api = StandInApi(fail_upload=RuntimeError(f"401 Unauthorized for token {TOKEN}"))
    with pytest.raises(PublishError) as info:
        publish_version(carded, "org/claims", api=api)
    assert TOKEN not in str(info.value) and "***" in str(info.value)
    assert main(["publish", str(carded), "--repo", "org/claims", "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err


@pytest.mark.parametrize(
    "repo, remove, message",
    [("no-slash", None, "ORG/NAME"), ("org/claims", "croissant.json", "run 'checkworthy card")],
    ids=["bad-repo-id", "not-carded"],
)
def test_publish_refuses_bad_input(carded, repo, remove, message):
    if remove:
        (carded / remove).unlink()
    with pytest.raises(InputError, match=message):
        publish_version(carded, repo, api=StandInApi())
