"""The report opens in a real browser: headless Chromium renders it, not blank, with the summary table."""

import shutil
import subprocess
import tempfile

import matplotlib.image as mpimg
import numpy as np
import pytest

from her2sim.cli import main

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=5000"]


def _chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("chromium is not installed: apt-get install chromium (.ci/run does this)")
    return found


def test_report_renders_in_headless_chromium(tmp_path):
    chromium = _chromium()
    assert main(["reproduce", "--only", "S000-SIG-3,S000-VIA-4,S000-BIND-1", "--out", str(tmp_path)]) == 0
    url = (tmp_path / "report.html").as_uri()
    shot = tmp_path / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1600",
                        f"--screenshot={shot}", url], check=True, capture_output=True, timeout=120)
        dom = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
                             check=True, capture_output=True, text=True, timeout=120).stdout
    pixels = mpimg.imread(shot)[..., :3]
    non_white = np.mean(pixels.mean(axis=2) < 0.95)
    assert pixels.std() > 0.05 and non_white > 0.02, "the screenshot is (nearly) blank"
    assert '<table id="summary">' in dom
    assert dom.count("<tr>") >= 4  # header + three claims
    assert "data:image/png;base64," in dom
