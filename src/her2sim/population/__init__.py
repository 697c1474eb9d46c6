"""Population layer: cells in heritable states whose division and death come from the signalling model.

Biology
- States (a multi-type branching process):
  * sensitive: the line as it is;
  * tolerant: a reversible, heritable state with a survival programme that does not need
    ERK/AKT and the RANK (TNFRSF11A) promoter held open, so RANK runs higher
    (drug-tolerant persisters, Sharma 2010; the high-RANK escape of seed 000). Cells
    enter it by stochastic fluctuation; the drug locks it in (Shaffer 2017): the lock
    follows the FOXO activity the signalling model computes,
    the same FOXO that induces RANK within a day of HER2 blockade (seed 000 Fig. 3a);
  * resistant: a genetic change (a lapatinib-insensitive bypass receptor, AXL-type;
    Liu 2009), born at a division with the resistance mutation probability (Bozic 2013);
  * tolerant+resistant: both.
- Each state's division and death rates are those of the signalling model (cell-fate
  module) with the state's changes, under the drugs of the moment; they are read over
  days 1-3 after a drug change (signalling settles in hours, populations move in weeks).
- Without drug no state grows faster than sensitive cells: a state whose changes would speed
  its division (NF-kB programme, bypass receptor) cycles slower until its drug-free net growth
  is the sensitive cells' (``with_neutral_cycling``; persisters are slow-cycling, Sharma 2010,
  and the switching and mutant balances assume no drug-free advantage). So what a chronic
  protocol selects comes from the drug, not from passaging.

Numerics
- Deterministic: the linear ODE dN/dt = A N per protocol step, solved exactly with the
  matrix exponential (large populations, means).
- Stochastic: tau-leaping (Gillespie 2001 J Chem Phys 115:1716) with Poisson numbers of
  divisions, deaths and switches per step, vectorised over replicates, from one numpy
  Generator seeded with ``seed`` (same seed and replicate count, same result). Used for
  small populations, where extinction and rare mutants matter; the two agree in mean
  for large ones (tests/test_population.py).
"""

from her2sim.population.dynamics import (
    STATES,
    EvolveResult,
    Step,
    absolute_ic50,
    evolve,
    load_protocol,
    population_cck8,
    population_readouts,
    population_values,
    state_parameters,
    state_rates,
)

__all__ = ["STATES", "EvolveResult", "Step", "absolute_ic50", "evolve", "load_protocol", "population_cck8",
           "population_readouts", "population_values", "state_parameters", "state_rates"]
