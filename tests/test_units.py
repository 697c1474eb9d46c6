import pytest

from her2sim.drugs import agent
from her2sim.errors import InputError
from her2sim.units import parse_concentration_nM, parse_time_min


@pytest.mark.parametrize(
    "text, minutes",
    [("10min", 10), ("2h", 120), ("2h10min", 130), ("-1d", -1440), ("0h", 0), ("1.5h", 90), ("1w", 10080)],
)
def test_times(text, minutes):
    assert parse_time_min(text) == pytest.approx(minutes)


@pytest.mark.parametrize("bad", ["10", "2x", "h", "", "1h-2"])
def test_malformed_times(bad):
    with pytest.raises(InputError):
        parse_time_min(bad)


def test_molar_and_mass_concentrations():
    assert parse_concentration_nM("1uM") == pytest.approx(1000)
    assert parse_concentration_nM("250 nM") == pytest.approx(250)
    # 300 ng/mL of RANKL trimer (60 kDa) = 5 nM
    assert agent("RANKL").to_nM("300ng/mL") == pytest.approx(5.0)
    # 10 ug/mL trastuzumab (148 kDa) = 67.6 nM
    assert agent("trastuzumab").to_nM("10 ug/mL") == pytest.approx(67.57, rel=1e-3)


@pytest.mark.parametrize("bad", ["1", "-1uM", "1 kg", "abc", "1 s"])
def test_bad_doses(bad):
    with pytest.raises(InputError):
        agent("lapatinib").to_nM(bad)


def test_agent_aliases():
    assert agent("Herceptin").name == "trastuzumab"
    with pytest.raises(InputError, match="allowed"):
        agent("aspirin")
