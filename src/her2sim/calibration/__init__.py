"""Calibration: the seeds' data as a PEtab problem (fitting with pyPESTO: not built yet)."""
