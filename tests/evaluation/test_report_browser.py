"""report.html in a real headless browser (Debian's Chromium): it opens with the verdict and every
embedded plot decodes. Chromium is installed by ``scripts/chromium.sh`` (``make test`` runs it)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from edgesnn.evaluation import evaluate

CHECK = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images].map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight]);
  const first = document.body.children[1];
  document.title = 'RESULT ' + JSON.stringify({imgs, first: first ? first.id : null});
});
</script></body>"""


@pytest.mark.slow
def test_report_opens_with_the_verdict_and_every_plot_loads(digits_exports, tmp_path):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed here (scripts/chromium.sh installs it)")
    out = tmp_path / "report"
    evaluate(digits_exports["onnx"], limit=16, batch_size=16, out=out)
    page = (out / "report.html").read_text(encoding="utf-8")
    checked = tmp_path / "checked.html"
    checked.write_text(page.replace("</body>", CHECK), encoding="utf-8")
    res = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
            "--dump-dom",
            checked.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    title = re.search(r"<title>RESULT (.*?)</title>", res.stdout)
    assert title, res.stderr[-2000:]
    result = json.loads(title.group(1).replace("&quot;", '"'))
    assert result["first"] == "verdict"  # the verdict comes right after the heading
    imgs = result["imgs"]
    assert len(imgs) >= 3, imgs  # firing rates, energy, raster...
    for alt, complete, width, height in imgs:
        assert complete and width > 100 and height > 100, alt
    screenshot = tmp_path / "page.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={screenshot}",
            "--window-size=1000,1400",
            checked.as_uri(),
        ],
        capture_output=True,
        timeout=120,
    )
    assert screenshot.stat().st_size > 10_000  # a rendered page, not a blank one
