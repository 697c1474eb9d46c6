"""Pre-equilibrate each cell-line variant once per objective call, not once per experiment.

Why: every experiment of the PEtab problem starts from its variant's steady state in growth
medium, and AMICI integrates that steady state, with its forward sensitivities, anew for each
experiment. The 48 simulation conditions share 12 pre-equilibrations, and those integrations
were about 60 % of an objective + gradient evaluation.

How: a wrapper around pyPESTO's calculator. Per call it fills the parameters into the original
experiments, runs one pre-equilibration (no time points) for each distinct set of
pre-equilibration fixed parameters, and hands each experiment's copy, now without
pre-equilibration, that steady state and its sensitivities as initial state (``ExpData.x0`` and
``sx0``, on the same parameter scale and ``plist``). States the simulation condition
re-initialises (the cell count) take their initial value under the simulation's fixed
parameters (and its sensitivities), as AMICI does after its own pre-equilibration. The
optimal-scaling calculator then runs unchanged on the copies. If a pre-equilibration fails, the
call returns an infinite objective at once, as pyPESTO's calculator does for a failed simulation.

Agreement with AMICI's own per-experiment pre-equilibration is tested (tests/test_calibrate.py)
and benchmarked (benchmarks/bench_gradient.py).
"""

from __future__ import annotations

import copy

import numpy as np


def variant_groups(edatas) -> list[list[int]]:
    """Experiments grouped by their pre-equilibration (its fixed parameters: variant and medium)."""
    groups: dict[tuple[float, ...], list[int]] = {}
    for i, edata in enumerate(edatas):
        groups.setdefault(tuple(edata.fixed_parameters_pre_equilibration), []).append(i)
    return list(groups.values())


class SharedPreequilibration:
    """pyPESTO calculator that pre-equilibrates each distinct variant once, then delegates.

    It works on the experiments and parameter mapping the objective passes in each call, because
    pyPESTO replaces the mapping when a parameter is fixed (profiles); the copies without
    pre-equilibration are rebuilt whenever those objects change. The wrapper keeps the objects it
    copied, so that a later mapping cannot take a freed one's place (and id) unnoticed.
    """

    def __init__(self, calculator):
        self.calculator = calculator
        self._copied_from: tuple | None = None

    def __getattr__(self, name):
        # everything but __call__ (inner parameter ids, bounds, ...) is the wrapped calculator's
        if name == "calculator":
            raise AttributeError(name)
        return getattr(self.calculator, name)

    def __deepcopy__(self, memo):
        return SharedPreequilibration(copy.deepcopy(self.calculator, memo))

    def _simulation_copies(self, edatas, parameter_mapping) -> None:
        import amici.sim.sundials as asd

        if self._copied_from and self._copied_from[0] is edatas and self._copied_from[1] is parameter_mapping:
            return
        self.groups = variant_groups(edatas)
        self.simulation_edatas = []
        for edata in edatas:
            simulation = asd.ExpData(edata)
            simulation.fixed_parameters_pre_equilibration = []
            self.simulation_edatas.append(simulation)
        self.simulation_mapping = copy.deepcopy(parameter_mapping)
        for condition in self.simulation_mapping:
            condition.map_preeq_fix = {}
            condition.scale_map_preeq_fix = {}
        self._copied_from = (edatas, parameter_mapping)

    def __call__(self, x_dct, sensi_orders, mode, amici_model, amici_solver, edatas, n_threads, x_ids,
                 parameter_mapping, fim_for_hess, **kwargs):
        import amici.sim.sundials as asd
        from amici.sim.sundials.petab.v1 import fill_in_parameters

        self._simulation_copies(edatas, parameter_mapping)
        sensitivities = max(sensi_orders) if sensi_orders else 0
        fill_in_parameters(edatas=edatas, problem_parameters=x_dct, scaled_parameters=True,
                           parameter_mapping=parameter_mapping, amici_model=amici_model)
        representatives = []
        for members in self.groups:
            steady = asd.ExpData(edatas[members[0]])
            steady.set_timepoints([])
            representatives.append(steady)
        amici_solver.set_sensitivity_order(sensitivities)
        rdatas = asd.run_simulations(amici_model, amici_solver, representatives,
                                     num_threads=min(n_threads, len(representatives)))
        if any(rdata.status != asd.AMICI_SUCCESS for rdata in rdatas):
            return self._failed(rdatas, len(edatas), sensi_orders, mode, len(x_ids))
        for members, rdata in zip(self.groups, rdatas, strict=True):
            for i in members:
                self._start_from_steady_state(edatas[i], self.simulation_edatas[i], rdata, amici_model,
                                              sensitivities)
        return self.calculator(x_dct=x_dct, sensi_orders=sensi_orders, mode=mode, amici_model=amici_model,
                               amici_solver=amici_solver, edatas=self.simulation_edatas, n_threads=n_threads,
                               x_ids=x_ids, parameter_mapping=self.simulation_mapping, fim_for_hess=fim_for_hess,
                               **kwargs)

    def _failed(self, rdatas, n_experiments, sensi_orders, mode, dimension) -> dict:
        """What pyPESTO's calculator returns when a simulation fails; each experiment carries its
        variant's pre-equilibration result, so the failing status is where callers look for it."""
        from pypesto.C import FVAL, GRAD, HESS, INNER_PARAMETERS, RDATAS, RES, SPLINE_KNOTS, SRES
        from pypesto.objective.amici.amici_util import init_return_values

        _, gradient, hessian, _, residuals, residual_sensitivities = init_return_values(sensi_orders, mode, dimension)
        per_experiment = [None] * n_experiments
        for members, rdata in zip(self.groups, rdatas, strict=True):
            for i in members:
                per_experiment[i] = rdata
        result = {FVAL: np.inf, GRAD: gradient, HESS: hessian, RES: residuals, SRES: residual_sensitivities,
                  RDATAS: per_experiment, SPLINE_KNOTS: None, INNER_PARAMETERS: None}
        if 1 in sensi_orders:
            result[GRAD] = np.full(dimension, np.nan)
        return result

    @staticmethod
    def _start_from_steady_state(original, simulation, rdata, amici_model, sensitivities) -> None:
        reinitialised = list(original.reinitialization_state_idxs_sim)
        x0 = np.array(rdata.x_ss, dtype=float)
        if reinitialised:
            amici_model.set_fixed_parameters(list(original.fixed_parameters))
            amici_model.set_free_parameters(list(original.free_parameters))
            amici_model.set_parameter_scale(original.pscale)
            amici_model.set_parameter_list(list(original.plist))
            x0[reinitialised] = np.asarray(amici_model.get_initial_state())[reinitialised]
        simulation.x0 = x0
        if sensitivities:
            sx0 = np.array(rdata.sx_ss, dtype=float)  # plist x states
            if reinitialised:
                initial = np.asarray(amici_model.get_initial_state_sensitivities()).reshape(sx0.shape)
                sx0[:, reinitialised] = initial[:, reinitialised]
            simulation.sx0 = sx0.ravel()
        else:
            simulation.sx0 = []


def share_preequilibration(objective) -> SharedPreequilibration:
    """Install the wrapper on a pyPESTO AmiciObjective built from the PEtab problem."""
    wrapper = SharedPreequilibration(objective.calculator)
    objective.calculator = wrapper
    return wrapper


__all__ = ["SharedPreequilibration", "share_preequilibration", "variant_groups"]
