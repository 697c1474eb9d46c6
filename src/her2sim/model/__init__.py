"""The her2sim signalling model: Antimony modules + parameters.tsv -> SBML."""

from her2sim.model.assembly import (
    antimony_source,
    base_sbml,
    checked_values,
    finite_non_negative,
    load_parameters,
    module_paths,
    validate_sbml,
)

__all__ = ["antimony_source", "base_sbml", "checked_values", "finite_non_negative", "load_parameters", "module_paths",
           "validate_sbml"]
