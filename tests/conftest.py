import pytest

from her2sim.assays import relative_to_control
from her2sim.engine import Protocol


@pytest.fixture(scope="session")
def fraction():
    """fraction(line, constructs, protocol, readout, time_min, keep=()) -> treated/control."""

    def _fraction(line, constructs, protocol: Protocol, readout: str, time_min: float, keep=()):
        table = relative_to_control(line, constructs, protocol, [readout], keep_in_control=keep)
        row = table[(table["observable"] == readout) & (table["time"] == time_min)]
        assert len(row) == 1, f"no {readout} at {time_min} min"
        value = row["fraction_of_control"].iloc[0]
        assert value is not None, f"{readout} undetectable in the control of {line}"
        return float(value)

    return _fraction
