"""The ranges the in vitro claims allow each value calibrated to them (calibration/claims_ranges.py)."""

import csv
import shutil
from importlib import resources

import pandas as pd
import pytest

from her2sim.calibration.claims_ranges import (
    RANGE_MARK,
    Target,
    claims_point,
    default_value,
    failing_claims,
    parse_target,
    point_targets,
    record_ranges,
)
from her2sim.errors import InputError


def test_the_shipped_point_is_the_default():
    point = claims_point()
    targets = point_targets(point)
    assert len(targets) == 33  # 19 model-wide, 14 cell-line overlay values
    for target in targets:
        expected = (point["parameters"][target.name] if target.cell_line is None
                    else point["cell_lines"][target.cell_line][target.name])
        assert default_value(target) == pytest.approx(expected)


def test_targets_parse_model_wide_and_overlay_values():
    assert parse_target("Kd_RANK_HER2") == Target("Kd_RANK_HER2")
    assert parse_target(" SKLR:RANK_expression ") == Target("RANK_expression", "SKLR")
    with pytest.raises(InputError, match="has no own value"):
        default_value(Target("Kd_RANK_HER2", "SKLR"))


def test_a_claim_breaks_when_nfkb_survival_weight_is_quadrupled():
    # HCC1954 + RANKL must not gain lapatinib tolerance (S000-VIA-3); a 4-fold NF-kB survival weight gives it
    target = Target("w_survival_NFkB")
    assert failing_claims(target, default_value(target), ["S000-VIA-3"]) == []
    assert failing_claims(target, 4 * default_value(target), ["S000-VIA-3"]) == ["S000-VIA-3"]


def test_recorded_ranges_replace_an_earlier_range_and_touch_nothing_else(tmp_path):
    table = tmp_path / "parameters.tsv"
    shutil.copy(resources.files("her2sim.model").joinpath("parameters.tsv"), table)
    before = {r["name"]: r for r in csv.DictReader(open(table), delimiter="\t")}
    ranges = pd.DataFrame([dict(parameter="w_survival_NFkB", default=0.215, lower=0.2, upper=0.23,
                                lower_reaches_window=False, upper_reaches_window=False,
                                limiting_claim_lower="S000-VIA-2", limiting_claim_upper="S000-VIA-3"),
                           dict(parameter="SKLR:RANK_expression", default=3.78, lower=3.0, upper=15.1,
                                lower_reaches_window=False, upper_reaches_window=True,
                                limiting_claim_lower="S000-VIA-2", limiting_claim_upper="")])
    ranges.attrs["factor"] = 4.0
    assert record_ranges(ranges, table) == ["w_survival_NFkB"]
    assert record_ranges(ranges, table) == ["w_survival_NFkB"]  # twice: the range is replaced, not appended
    rows = {r["name"]: r for r in csv.DictReader(open(table), delimiter="\t")}
    source = rows["w_survival_NFkB"]["source"]
    assert source.count(RANGE_MARK) == 1 and "[0.2, 0.23]" in source and "S000-VIA-2, S000-VIA-3" in source
    assert source.split(RANGE_MARK)[0] == before["w_survival_NFkB"]["source"].split(RANGE_MARK)[0]
    assert rows["w_survival_NFkB"]["value"] == before["w_survival_NFkB"]["value"]
    assert {k: v for k, v in rows.items() if k != "w_survival_NFkB"} == {
        k: v for k, v in before.items() if k != "w_survival_NFkB"}
