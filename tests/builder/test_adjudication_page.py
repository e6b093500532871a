"""The review block of the adjudication page (``checkworthy review``), without a server."""

from __future__ import annotations

import pytest

from checkworthy.builder.review import ReviewItem, _review_block
from checkworthy.schemas import load_scheme


@pytest.mark.parametrize(("scheme", "votes", "shown"), [
    ("claimbuster", {"CFS": 1, "NFS": 1, "UFS": 1}, "CFS 1 · UFS 1 · NFS 1"),
    ("claimbuster", {"NFS": 2, "UFS": 1, "CFS": 0}, "UFS 1 · NFS 2"),
    ("checkthat", {"No": 2, "Yes": 1}, "Yes 1 · No 2"),
], ids=["three-way-tie", "unsorted-dict", "binary"])
def test_the_earlier_votes_are_listed_in_the_scheme_order(scheme, votes, shown):
    """The manifest keeps votes sorted by name (CFS, NFS, UFS); the page lists them as the
    scheme orders its labels (CFS, UFS, NFS), as the choices beside it are."""
    item = ReviewItem(rank=1, sentence_id="s", article_id=None, text=None, split=None, label=None, label_source=None,
                      votes=votes, doubt=1.0, reasons=[{"reason": "tie"}])
    block = _review_block(item, load_scheme(scheme), "1.0.0", None)
    assert f"Earlier labels: {shown}. Label in version 1.0.0: none (tie).</p>" in block
