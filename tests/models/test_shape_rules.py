"""The 1-D CNN's shape rules: ``deterministic`` (default) and ``paper`` (Algorithm 1 as written)."""

import pytest
import torch

from edgesnn.errors import ShapeError, UsageError
from edgesnn.models import build, resolve
from edgesnn.models.shapes import algorithm1, algorithm1_paper, block_out


def _valid(sizes: dict, length: int) -> None:
    """Every block fits its input and leaves ≥ 1 position; the stated lengths are the real ones."""
    n = length
    for k in (1, 2, 3):
        wd, h = sizes[f"wd{k}"], sizes[f"h{k}"]
        assert wd >= 1 and h >= 1 and wd <= n and h <= n - wd + 1, (k, sizes)
        n = block_out(n, wd, h)
        assert n == sizes[f"L{k}"] >= 1


@pytest.mark.parametrize("length, wd1, h1", [(765, 3, 2), (1881, 51, 8), (1881, 35, 12), (60, 5, 2), (30, 3, 2)])
def test_paper_rule_is_reproducible_under_a_seed_and_valid(length, wd1, h1):
    for seed in range(25):
        a, b = algorithm1_paper(length, wd1, h1, seed), algorithm1_paper(length, wd1, h1, seed)
        assert a == b
        _valid(a, length)
        assert a["L2"] >= 2  # the redraw loop's exit condition (line 8)
        if a["L2"] == 2:
            assert (a["h3"], a["wd3"]) == (1, 2)  # lines 14-16
        else:
            assert 2 <= a["wd3"] <= a["L2"] and a["h3"] in {1, *range(2, a["wd3"] + 1)}


def test_paper_rule_draws_differ_across_seeds():
    drawn = {tuple(algorithm1_paper(1881, 51, 8, seed)[k] for k in ("wd2", "h2", "wd3", "h3")) for seed in range(20)}
    assert len(drawn) >= 10
    s1 = algorithm1_paper(1881, 51, 8, 0)["L1"]
    assert s1 == (1881 - 51 + 1) // 8  # line 3 with floor division
    assert all(2 <= algorithm1_paper(1881, 51, 8, s)["wd2"] <= s1 for s in range(20))  # random(2, s1)


def test_paper_rule_redraws_until_block_2_fits():
    # s1 = 5 leaves exactly one fitting (h2, wd2) = (2, 2) among 16 draws: the loop must redraw
    redraws = [algorithm1_paper(7, 3, 1, seed) for seed in range(30)]
    assert all((r["wd2"], r["h2"], r["L2"]) == (2, 2, 2) for r in redraws)
    assert max(r["draws"] for r in redraws) > 1


def test_paper_rule_refuses_a_first_block_it_could_never_follow():
    with pytest.raises(ShapeError, match="needs at least 5"):
        algorithm1_paper(10, 3, 2, 0)  # s1 = 4: the paper's loop would never end
    with pytest.raises(ShapeError, match="wider than the input"):
        algorithm1_paper(10, 11, 1, 0)


def test_deterministic_rule_is_unchanged_and_the_default():
    assert resolve("cnn1d")["shape_rule"] == "deterministic"
    hp = resolve("cnn1d", {"wd1": 3, "h1": 2})
    model = build(hp, (30,), 3, seed=1)
    assert model.sizes == algorithm1(30, 3, 2) and hp["wd2"] is None  # nothing drawn, nothing written


def test_paper_rule_builds_by_the_run_seed_and_writes_its_draws_into_hp():
    hp0, hp0b, hp1 = (resolve("cnn1d", {"shape_rule": "paper", "wd1": 5, "h1": 2}) for _ in range(3))
    m0 = build(hp0, (765,), 10, seed=0)
    build(hp0b, (765,), 10, seed=0)
    build(hp1, (765,), 10, seed=1)
    keys = ("wd2", "h2", "wd3", "h3")
    assert [hp0[k] for k in keys] == [hp0b[k] for k in keys] != [hp1[k] for k in keys]
    assert [m0.sizes[k] for k in keys] == [hp0[k] for k in keys]
    # a rebuild from the written hp (a checkpoint, the ANN twin) is the same network, whatever torch's seed
    twin = build(dict(hp0), (765,), 10, ann=True, seed=123)
    assert [tuple(p.shape) for p in twin.parameters()] == [tuple(p.shape) for p in m0.parameters()][
        : len(list(twin.parameters()))
    ]
    assert twin.sizes == m0.sizes
    out = m0(torch.rand(4, 1, 765))
    assert out.shape == (4, 10)


def test_unknown_shape_rule_is_one_line():
    with pytest.raises(UsageError, match="shape_rule"):
        resolve("cnn1d", {"shape_rule": "random"})
