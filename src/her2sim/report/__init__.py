"""The claims report: one self-contained HTML page with embedded figures."""

from her2sim.report.html import write_report

__all__ = ["write_report"]
