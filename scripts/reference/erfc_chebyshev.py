#!/usr/bin/env python3
"""Chebyshev coefficients for erfc in packages/core/src/statistics/normal-distribution.ts.

For z ≥ 0, erfc(z) = t · exp(−z² + g(t)) with t = 2/(2 + z) ∈ (0, 1] (the form of
Numerical Recipes' erfccheb). g is smooth on [0, 1] (g(0) = −log(2√π)), so a short
Chebyshev series in y = 2t − 1 represents it to double precision. The coefficients
are computed with mpmath at 50 digits by Chebyshev–Gauss quadrature.

Run: python3 scripts/reference/erfc_chebyshev.py
"""
import mpmath as mp

mp.mp.dps = 50
N = 40  # nodes; the printed series is cut where terms fall below 1e-17


def g(t):
    if t == 0:
        return -mp.log(2 * mp.sqrt(mp.pi))
    z = 2 / t - 2
    return mp.log(mp.erfc(z) / t) + z * z


nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / N) for k in range(N)]
values = [g((y + 1) / 2) for y in nodes]
coef = []
for j in range(N):
    s = sum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / N) for k in range(N))
    coef.append(2 * s / N)
coef[0] /= 2
keep = max(i for i, c in enumerate(coef) if abs(c) > 1e-17) + 1
print(f"// {keep} terms; max |dropped| = {mp.nstr(max(abs(c) for c in coef[keep:]), 3)}")
print(",\n".join(repr(float(c)) for c in coef[:keep]))
