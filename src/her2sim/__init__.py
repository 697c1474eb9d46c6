"""her2sim: HER2-positive breast cancer signalling, escape and therapy, executable."""

__version__ = "0.1.0"
