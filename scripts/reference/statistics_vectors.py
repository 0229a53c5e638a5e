#!/usr/bin/env python3
"""Reference values for the statistics engine: packages/core/test/vectors/statistics.json.

Every value is computed here independently of the TypeScript code, with SciPy or
with mpmath at 40 significant digits, from the formulas of the cited sources:

- normal CDF/quantile, chi-squared tails, Pearson's goodness-of-fit test: SciPy;
- delta-method variance of a ratio of sums (Deng, Knoblich, Lu, KDD 2018) and of
  a relative difference: NumPy over explicit per-unit data;
- the Gaussian-mixture asymptotic confidence sequence and its tuning
  (Waudby-Smith, Arbour, Sinha, Kennedy, Ramdas, Annals of Statistics 2024);
- the one-sided boundary: the half-normal mixture martingale integrated
  numerically (mpmath.quad) and solved for its 1/alpha crossing (mpmath.findroot),
  not the closed form the TypeScript uses;
- the mSPRT statistic for two normal streams (Johari, Koomen, Pekelis, Walsh,
  KDD 2017), in its n-pairs, known-sigma form;
- minimum detectable effects: the power equation solved with scipy.optimize.brentq;
- burn rates: the SRE Workbook's definition and its "14.4x for 1 hour spends 2% of
  a 30-day budget" example.

Run: python3 scripts/reference/statistics_vectors.py > packages/core/test/vectors/statistics.json
"""

import json
import platform
import re
import sys

import mpmath as mp
import numpy as np
import scipy
from scipy import optimize, special, stats

mp.mp.dps = 40


def f(x):
    """A Python float from an mpmath or numpy number."""
    return float(x)


def one_sided_multiplier(x, alpha):
    """z with 2/sqrt(1+x)·exp(w²/2)·Φ(w) = 1/α, w = z·sqrt(x/(1+x)), found by integrating the mixture.

    Standardized time t = 1 and mixing scale ρ² = x: M(s) = ∫₀^∞ exp(λs − λ²/2)·2φ(λ/ρ)/ρ dλ.
    """
    rho = mp.sqrt(mp.mpf(x))

    def mixture(s):
        return mp.quad(
            lambda l: mp.exp(l * s - l**2 / 2) * 2 / (mp.sqrt(2 * mp.pi) * rho) * mp.exp(-(l**2) / (2 * rho**2)),
            [0, mp.inf],
        )

    return mp.findroot(lambda s: mp.log(mixture(s)) + mp.log(alpha), 3.0)


def two_sided_radius(t, rho2, alpha, sigma):
    """The paper's asymptotic CS radius σ·sqrt(2(tρ²+1)/(t²ρ²)·log(sqrt(tρ²+1)/α))."""
    t, rho2, alpha, sigma = map(mp.mpf, (t, rho2, alpha, sigma))
    return sigma * mp.sqrt(2 * (t * rho2 + 1) / (t**2 * rho2) * mp.log(mp.sqrt(t * rho2 + 1) / alpha))


def rho2_for(alpha, t_star):
    alpha = mp.mpf(alpha)
    l = -2 * mp.log(alpha)
    return (l + mp.log(l + 1)) / t_star


def msprt_log_lambda(n, sigma2, tau2, mean_diff, theta0):
    """Johari et al.: n pairs with differences of variance 2σ², mixing N(θ0, τ²)."""
    n, sigma2, tau2, d = map(mp.mpf, (n, sigma2, tau2, mean_diff - theta0))
    s2 = 2 * sigma2
    return mp.log(mp.sqrt(s2 / (s2 + n * tau2))) + (n**2 * tau2 * d**2) / (2 * s2 * (s2 + n * tau2))


def normal_section():
    xs = [-37.5, -20, -10, -6, -3, -1.96, -1, -0.25, 0, 0.5, 1, 1.6448536269514722, 2, 2.5, 3, 5, 8, 12, 30]
    return {
        "source": f"scipy.stats.norm.cdf and .sf, SciPy {scipy.__version__}",
        "relTol": 1e-12,
        "cases": [{"x": x, "cdf": f(stats.norm.cdf(x)), "sf": f(stats.norm.sf(x))} for x in xs],
    }


def quantile_section():
    ps = [1e-300, 1e-50, 1e-10, 1e-4, 0.001, 0.01, 0.0242, 0.025, 0.05, 0.1, 0.3, 0.5, 0.8, 0.95, 0.975, 0.99, 0.999, 0.9999999]
    return {
        "source": f"scipy.stats.norm.ppf, SciPy {scipy.__version__}",
        "relTol": 1e-12,
        "cases": [{"p": p, "x": f(stats.norm.ppf(p))} for p in ps],
    }


def chi2_section():
    xs = [1e-6, 0.0158, 0.455, 1, 2.706, 3.841, 6.635, 10.828, 25, 100, 700]
    return {
        "source": f"scipy.stats.chi2.sf(x, df=1), SciPy {scipy.__version__}",
        "relTol": 1e-12,
        "cases": [{"x": x, "sf": f(stats.chi2.sf(x, 1))} for x in xs],
    }


def srm_section():
    cases = [
        ({"treatment": 5000, "control": 5000}, {"treatment": 0.5, "control": 0.5}),
        ({"treatment": 5120, "control": 4880}, {"treatment": 0.5, "control": 0.5}),
        ({"treatment": 50500, "control": 49500}, {"treatment": 0.5, "control": 0.5}),
        ({"treatment": 1180, "control": 98820}, {"treatment": 0.01, "control": 0.99}),
        ({"treatment": 821, "control": 15000}, {"treatment": 0.05, "control": 0.95}),
        ({"treatment": 10000, "control": 10321}, {"treatment": 0.05, "control": 0.05}),
        ({"treatment": 500_000_000_000, "control": 500_000_100_000}, {"treatment": 0.5, "control": 0.5}),
    ]
    out = []
    for observed, share in cases:
        obs = np.array([observed["treatment"], observed["control"]], dtype=float)
        p = np.array([share["treatment"], share["control"]], dtype=float)
        p = p / p.sum()
        res = stats.chisquare(obs, obs.sum() * p)
        out.append({"observed": observed, "expectedShare": share, "statistic": f(res.statistic), "pValue": f(res.pvalue)})
    return {
        "source": f"scipy.stats.chisquare(observed, n·share), Pearson goodness of fit with 1 degree of freedom, SciPy {scipy.__version__}",
        "relTol": 1e-9,
        "cases": out,
    }


def delta_section():
    rng = np.random.default_rng(20241125)
    cases = []
    for n, scale in [(40, 1.0), (300, 3.0), (800, 0.2)]:
        x = rng.poisson(5 * scale, n).astype(float) + 1  # sessions per unit (at least one)
        y = rng.binomial(x.astype(int), 0.1).astype(float)  # errors per unit
        r = y.sum() / x.sum()
        # Var(R̂) ≈ (1/(n·x̄²))·Var(y − R·x), sample variance with n−1.
        var = np.var(y - r * x, ddof=1) / (n * x.mean() ** 2)
        cases.append({"pairs": [[float(a), float(b)] for a, b in zip(y, x)], "ratio": f(r), "variance": f(var)})
    relative = []
    for (mt, vt), (mc, vc) in [((0.11, 1e-5), (0.1, 2e-6)), ((250.0, 4.0), (240.0, 1.0)), ((0.0021, 1e-8), (0.002, 1e-9))]:
        # Var(T/C − 1) ≈ Var(T)/C² + T²·Var(C)/C⁴ (first-order Taylor expansion).
        relative.append({"treatment": {"value": mt, "variance": vt}, "control": {"value": mc, "variance": vc}, "difference": mt / mc - 1, "variance": vt / mc**2 + mt**2 * vc / mc**4})
    return {
        "source": "delta method (A. Deng, U. Knoblich, J. Lu, 'Applying the delta method in metric analytics', KDD 2018, section 3): numpy over the listed per-unit [numerator, denominator] pairs; relative differences by the first-order expansion of T/C",
        "relTol": 1e-9,
        "ratio": cases,
        "relative": relative,
    }


def cs_section():
    rho = []
    for alpha, t_star in [(0.05, 200), (0.05 / 6, 4000), (0.001, 1e6)]:
        rho.append({"alpha": alpha, "tStar": t_star, "rho2": f(rho2_for(alpha, t_star))})
    two = []
    for t, t_star, alpha, sigma in [(100, 200, 0.05, 1.0), (10_000, 200, 0.05, 2.5), (1e6, 4000, 0.05 / 6, 0.3), (1e12, 4000, 0.01, 1.0), (31, 60, 0.025, 10.0)]:
        r2 = rho2_for(alpha, t_star)
        two.append({"t": t, "rho2": f(r2), "alpha": alpha, "sigma": sigma, "radius": f(two_sided_radius(t, r2, alpha, sigma))})
    one = []
    for x, alpha in [(0.05, 0.05), (1, 0.05), (11.94, 0.05 / 6), (100, 0.01), (1e4, 0.001), (1e6, 0.025), (1e9, 0.05 / 3)]:
        one.append({"x": x, "alpha": alpha, "multiplier": f(one_sided_multiplier(x, alpha))})
    return {
        "rho2": {
            "source": "Waudby-Smith et al. 2024: rho² = (−2 log α + log(−2 log α + 1)) / t*, mpmath",
            "relTol": 1e-13,
            "cases": rho,
        },
        "twoSidedRadius": {
            "source": "Waudby-Smith et al. 2024, Gaussian-mixture asymptotic CS radius σ̂·sqrt(2(tρ²+1)/(t²ρ²)·log(sqrt(tρ²+1)/α)), mpmath at 40 digits",
            "relTol": 1e-12,
            "cases": two,
        },
        "oneSidedMultiplier": {
            "source": "half-normal mixture of exp(λS − λ²t/2) (Howard, Ramdas, McAuliffe, Sekhon 2021, section 3): mpmath.quad of the mixture, mpmath.findroot of its 1/α crossing, at t = 1, ρ² = x",
            "relTol": 1e-11,
            "cases": one,
        },
    }


def msprt_section():
    cases = []
    for n, sigma2, tau2, diff, theta0 in [(1000, 1.0, 0.01, 0.05, 0.0), (50, 4.0, 0.25, -0.3, 0.1), (100_000, 0.09, 1e-4, 0.002, 0.001), (10, 1.0, 1.0, 0.0, 0.0)]:
        cases.append({"nPerArm": n, "sigma2": sigma2, "tau2": tau2, "difference": diff, "theta0": theta0, "logLambda": f(msprt_log_lambda(n, sigma2, tau2, diff, theta0))})
    return {
        "source": "Johari, Koomen, Pekelis, Walsh, 'Peeking at A/B tests', KDD 2017: Λ = sqrt(2σ²/(2σ²+nτ²))·exp(n²τ²(Ȳ−X̄−θ0)²/(2·2σ²(2σ²+nτ²))), mpmath",
        "relTol": 1e-12,
        "cases": cases,
    }


def mde_section():
    cases = []
    specs = [
        # kind, units per arm, control ratio, mean, variance, alpha, power, relative, margin, minUnits
        ("occurrence", 2000, 99.0, 0.1, None, 0.05 / 4, 0.8, True, 0.1, 2000),
        ("occurrence", 50_000, 1.0, 0.02, None, 0.05 / 3, 0.8, False, 0.0, 100),
        ("mean", 10_000, 1.0, 250.0, 90_000.0, 0.05 / 5, 0.9, True, 0.05, 1000),
        ("count", 300, 9.0, 3.2, 12.0, 0.01, 0.8, False, 0.5, 300),
        ("occurrence", 20_000, 1.0, 0.3, None, 0.05 / 4, 0.5, True, 0.0, 100),
        ("occurrence", 400, 3.0, 0.45, None, 0.01, 0.8, False, 0.02, 100),
        # Quantile KPIs: variance is (q, log sd) of log-normal values.
        ("quantile", 5_000, 1.0, 180.0, (0.95, 0.8), 0.05 / 4, 0.8, True, 0.05, 500),
        ("quantile", 2_000, 9.0, 40.0, (0.5, 1.2), 0.01, 0.9, False, 2.0, 100),
    ]
    for kind, n, ratio, mean, var, alpha, power, relative, margin, min_units in specs:
        control_var = mean * (1 - mean) if var is None else var
        n_c = n * ratio

        def quantile_se(d):
            # Relative SE of a sample q-quantile of log-normal values: σ·√(q(1−q)/n)/φ(Φ⁻¹(q));
            # the harm scales the treatment's values. Delta method for T/C − 1 as for means.
            q, log_sd = var
            s = log_sd * np.sqrt(q * (1 - q)) / stats.norm.pdf(stats.norm.ppf(q))
            if relative:
                return (1 + d) * s * np.sqrt(1 / n + 1 / n_c)
            qt = mean + d
            return s * np.sqrt(qt * qt / n + mean * mean / n_c)

        def se(d):
            if kind == "quantile":
                return quantile_se(d)
            # The SE the guard sees when the harm is d: the treatment's variance at the
            # alternative rate (occurrence without a given variance), and for relative
            # changes the delta method for T/C - 1 with T/C = 1 + d.
            if var is None:
                q = mean * (1 + d) if relative else mean + d
                treat_var = q * (1 - q)
            elif relative:
                # A relative harm of a mean or count scales each unit's value: its spread too.
                treat_var = var * (1 + d) ** 2
            else:
                treat_var = var
            r = (1 + d) if relative else 1.0
            v = treat_var / n + r * r * control_var / n_c
            return np.sqrt(v) / (mean if relative else 1.0)

        t = n + n_c
        t_star = 2 * max(min_units, 30)
        x = t * rho2_for(alpha, t_star)
        z = f(one_sided_multiplier(f(x), alpha))
        # P(breach at this look) = Φ((δ − margin)/SE(δ) − z); solve for δ at the given power.
        delta = optimize.brentq(lambda d: stats.norm.cdf((d - margin) / se(d) - z) - power, margin, margin + 100 * se(margin) + 10 if var is not None else min(margin + 100 * se(margin) + 10, (1 / mean - 1) if relative else 1 - mean), xtol=1e-15, rtol=1e-14)
        case = {"kind": kind, "unitsPerArm": n, "controlRatio": ratio, "baselineMean": mean, "alpha": alpha, "power": power, "relative": relative, "margin": margin, "minUnits": min_units, "mde": f(delta)}
        if kind == "quantile":
            case["quantile"] = {"q": var[0], "logSd": var[1]}
        elif var is not None:
            case["baselineVariance"] = var
        cases.append(case)
    return {
        "source": "power equation Φ((δ − margin)/SE(δ) − z) = power solved with scipy.optimize.brentq; z = the one-sided mixture boundary by mpmath integration at t = n_T + n_C, ρ² tuned for t* = 2·max(minUnits, 30); SE(δ) with the treatment's variance at the alternative (rate p+δ or p(1+δ) for occurrence; a given variance times (1+δ)² for relative mean and count harms, which scale the values; for quantiles of log-normal values the sample quantile's σ·√(q(1−q)/n)/φ(Φ⁻¹(q)) relative standard error per arm) and, for relative changes, the delta method for T/C − 1 (control term times (1+δ)²)",
        "relTol": 1e-9,
        "cases": cases,
    }


def srm_sequential_section():
    """Lindon & Malek, NeurIPS 2022: the Dirichlet-multinomial Bayes factor against the plan,
    prior alpha = k * theta0 with k = 100, via scipy.special.gammaln (independent of the TS log-gamma)."""
    k = 100.0
    cases = []
    for observed, share in [
        ({"treatment": 5000, "control": 5000}, {"treatment": 0.5, "control": 0.5}),
        ({"treatment": 50600, "control": 49400}, {"treatment": 0.5, "control": 0.5}),
        ({"treatment": 102000, "control": 98000}, {"treatment": 0.5, "control": 0.5}),
        ({"treatment": 1200, "control": 98800}, {"treatment": 0.01, "control": 0.99}),
        ({"treatment": 3, "control": 7}, {"treatment": 0.1, "control": 0.9}),
        ({"treatment": 10000, "control": 10321}, {"treatment": 0.05, "control": 0.05}),
        ({"treatment": 0, "control": 400}, {"treatment": 0.2, "control": 0.8}),
    ]:
        x = np.array([observed["treatment"], observed["control"]], dtype=float)
        theta = np.array([share["treatment"], share["control"]], dtype=float)
        theta = theta / theta.sum()
        a = k * theta
        log_bf = special.gammaln(a.sum()) - special.gammaln(a.sum() + x.sum()) + np.sum(special.gammaln(a + x) - special.gammaln(a) - x * np.log(theta))
        cases.append({"observed": observed, "expectedShare": share, "logBayesFactor": f(log_bf)})
    return {
        "source": f"Lindon & Malek, 'Anytime-valid inference for multinomial count data', NeurIPS 2022: ln BF = ln Γ(Σα) − ln Γ(Σα + n) + Σ [ln Γ(αᵢ + xᵢ) − ln Γ(αᵢ) − xᵢ ln θᵢ], α = 100·θ, scipy.special.gammaln, SciPy {scipy.__version__}",
        "relTol": 1e-9,
        "cases": cases,
    }


def burn_section():
    return {
        "source": "Google SRE Workbook, ch. 5 'Alerting on SLOs': burn rate = error ratio / (1 − SLO); a 14.4x burn for 1 hour spends 14.4 · 1h / 720h = 2% of a 30-day budget",
        "relTol": 1e-12,
        "cases": [
            {"slo": 0.999, "bad": 144, "total": 10_000, "burnRate": 14.4, "budgetSpent": {"windowHours": 1, "periodHours": 720, "fraction": 0.02}},
            {"slo": 0.999, "bad": 60, "total": 10_000, "burnRate": 6.0, "budgetSpent": {"windowHours": 6, "periodHours": 720, "fraction": 0.05}},
            {"slo": 0.99, "bad": 3, "total": 100, "burnRate": 3.0, "budgetSpent": {"windowHours": 24, "periodHours": 720, "fraction": 0.1}},
        ],
    }


def main():
    doc = {
        "description": "Reference values for packages/core/src/statistics, each section with its source and tolerance (relative, or absolute where the value is 0). Generated by scripts/reference/statistics_vectors.py; do not edit by hand.",
        "generatedWith": {"python": platform.python_version(), "scipy": scipy.__version__, "numpy": np.__version__, "mpmath": mp.__version__},
        "normalCdf": normal_section(),
        "normalQuantile": quantile_section(),
        "chiSquared1": chi2_section(),
        "sampleRatio": srm_section(),
        "deltaMethod": delta_section(),
        "confidenceSequence": cs_section(),
        "msprt": msprt_section(),
        "minimumDetectableEffect": mde_section(),
        "burnRate": burn_section(),
        "sampleRatioSequential": srm_sequential_section(),
    }
    text = json.dumps(doc, indent=1, ensure_ascii=False)
    # Keep [numerator, denominator] pairs on one line each.
    text = re.sub(r"\[\s+(-?[0-9.e+-]+),\s+(-?[0-9.e+-]+)\s+\]", r"[\1, \2]", text)
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
