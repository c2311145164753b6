"""A TCGA-style CSV (barcode column, tumour-type labels, skewed expression) with the miRNA
study's preprocessing: the ten most frequent classes, z-score then min-max fitted on train."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edgesnn.data import prepare
from edgesnn.data.figures import class_frequencies, plot_class_frequencies
from edgesnn.errors import DataError

SIZES = [60, 50, 45, 40, 36, 32, 30, 28, 26, 24, 6, 4]  # 12 tumour types; the last two are rare


@pytest.fixture
def tcga_csv(tmp_path):
    rng = np.random.default_rng(0)
    rows, header = [], ["sample_id", *[f"hsa-mir-{i}" for i in range(20)], "class"]
    k = 0
    for c, n in enumerate(SIZES):
        for _ in range(n):
            expr = rng.lognormal(mean=1.0 + 0.2 * c, sigma=1.0, size=20)  # heavy right tail, like read counts
            rows.append([f"TCGA-{k:02d}-{c:04d}", *(f"{v:.4f}" for v in expr), f"TUMOR{c:02d}"])
            k += 1
    path = tmp_path / "mirna.csv"
    path.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n")
    return path


def test_top10_and_zscore_minmax_as_the_paper(tcga_csv):
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    prep = prepare(tcga_csv, seed=0, top_k=10)
    assert prep.train.feature_shape == (20,)  # the barcode column is not a feature
    assert prep.train.classes == [f"TUMOR{c:02d}" for c in range(10)]  # the two rare types dropped
    assert sum(len(getattr(prep, s)) for s in ("train", "val", "test")) == sum(SIZES[:10])
    assert prep.spec["preprocessing"]["kind"] == "zscore-minmax" and prep.spec["top_k"] == 10
    # the paper's recipe, fitted on the training split: StandardScaler, then MinMaxScaler
    import csv

    with open(tcga_csv) as fh:
        table = list(csv.reader(fh))[1:]
    raw = {r[0]: np.array(r[1:-1], dtype=np.float64) for r in table}
    order = [table[i][0] for i in range(len(table))]
    kept = np.array([raw[b] for b in order if int(b[-4:]) < 10])
    x_train_raw = kept[prep.splits.indices["train"]]
    z = StandardScaler().fit(x_train_raw)
    mm = MinMaxScaler().fit(z.transform(x_train_raw))
    np.testing.assert_allclose(prep.train.x, mm.transform(z.transform(x_train_raw)), atol=1e-5)
    for split in ("val", "test"):  # unseen data: training statistics, clipped to [0, 1]
        x = getattr(prep, split).x
        expected = np.clip(mm.transform(z.transform(kept[prep.splits.indices[split]])), 0, 1)
        np.testing.assert_allclose(x, expected, atol=1e-5)
        assert x.min() >= 0.0 and x.max() <= 1.0


def test_class_frequency_figure_of_a_user_file(tcga_csv, tmp_path):
    freq = class_frequencies(tcga_csv, seed=0, top_k=10)
    assert freq["classes"] == [f"TUMOR{c:02d}" for c in range(10)]
    totals = {c: sum(freq["counts"][s][c] for s in ("train", "val", "test")) for c in freq["classes"]}
    assert totals == {f"TUMOR{c:02d}": SIZES[c] for c in range(10)}
    png = plot_class_frequencies(freq, tmp_path / "freq.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_cli_datasets_show_plots_and_refuses_bad_input_in_one_line(tcga_csv, tmp_path):
    cli = [str(Path(sys.executable).parent / "edgesnn")]
    png = tmp_path / "f.png"
    ok = subprocess.run(
        [*cli, "datasets", "show", str(tcga_csv), "--top-k", "10", "--plot", str(png), "--json"],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert len(data["classes"]) == 10 and png.stat().st_size > 0
    bad = subprocess.run([*cli, "datasets", "show", str(tmp_path / "missing.csv")], capture_output=True, text=True)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_a_non_numeric_feature_is_still_one_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("sample_id,gene,class\nTCGA-1,abc,A\nTCGA-2,2.0,B\n")
    with pytest.raises(DataError, match="non-numeric value 'abc'"):
        prepare(path, seed=0)
