"""Harbor's gate against our own labels of oasdiff's checker test pairs (issue #18).

Every pair in oasdiff/labels.yaml must get our label from the gate, except the pairs in
oasdiff/known_disagreements.yaml, which must still disagree: a fix removes its entry, so
the figure `python -m tests.breaking.oasdiff.agreement` prints stays honest.
"""

from __future__ import annotations

import pytest

from tests.breaking.oasdiff.agreement import DATA, Judged, judge_all, load_known, load_pairs

PAIRS = load_pairs()
KNOWN = load_known()


@pytest.fixture(scope="module")
def judged() -> dict[str, Judged]:
    return {j.pair.name: j for j in judge_all(PAIRS)}


def test_every_pair_file_is_here_and_every_known_disagreement_is_a_labelled_pair() -> None:
    missing = sorted(
        {f for p in PAIRS for f in (p.base, p.revision)} - {f.name for f in DATA.iterdir()}
    )
    assert not missing, f"not in {DATA}: {missing}"
    names = [p.name for p in PAIRS]
    assert len(names) == len(set(names)), "a pair is labelled twice"
    assert not set(KNOWN) - set(names), "known disagreements that are not labelled pairs"
    assert all(KNOWN.values()), "every known disagreement needs an explanation"


@pytest.mark.parametrize("name", [p.name for p in PAIRS])
def test_harbor_gives_our_label(judged: dict[str, Judged], name: str) -> None:
    j = judged[name]
    if name in KNOWN:
        assert not j.agrees, (
            f"{name}: Harbor now agrees with our label ({j.pair.label}); "
            "remove it from tests/breaking/oasdiff/known_disagreements.yaml"
        )
    else:
        assert j.agrees, (
            f"{name}: ours {j.pair.label} ({j.pair.reason}); Harbor {j.harbor}: {j.detail}"
        )
