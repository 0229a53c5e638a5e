/**
 * Plans for the dashboard's end-to-end tests: short phases so a real controller
 * walks them in seconds. checkout-v2 advances behind a product sign-off;
 * search-v3 breaches its error rate and is rolled back by a risk's contingency.
 */

/** checkout-v2, version 1. */
export const CHECKOUT_V1 = `launch: checkout-v2
description: The new checkout flow.
owner: checkout-team
unit: userId
phases:
  - { name: canary, traffic: 20%, min_duration: 1s, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1s, min_units: 40, signoff: [product] }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 50% }, on_breach: pause }
    - { name: error_rate, kind: occurrence, event: checkout_error, guard: { max_increase_abs: 0.05 }, on_breach: rollback }
  user-impact:
    - { name: conversion, kind: occurrence, event: purchase, guard: { max_decrease_abs: 0.2 }, on_breach: { ask: [product] } }
risks:
  - id: R1
    title: Payment provider timeouts under the new retry policy
    likelihood: 3
    impact: 4
    owner: payments-oncall
    watch: [error_rate]
    contingency: [rollback, { notify: payments-oncall }]
signoff:
  roles: { product: 1 }
`;

/** checkout-v2, version 2: a stricter latency guard and a second risk. */
export const CHECKOUT_V2 = CHECKOUT_V1.replace('max_increase: 50%', 'max_increase: 40%').replace(
  'signoff:\n',
  `  - id: R2
    title: Conversion drops for returning users
    likelihood: 2
    impact: 3
    owner: product
    watch: [conversion]
    contingency: [{ ask: [product] }]
signoff:
`,
);

/** search-v3: its error rate breaches in the canary; risk R7 rolls it back. */
export const SEARCH_V3 = `launch: search-v3
description: The new search ranking.
owner: search-team
unit: userId
phases:
  - { name: canary, traffic: 20%, min_duration: 30s, min_units: 40 }
  - { name: full, traffic: 100%, min_duration: 1s }
kpis:
  operational-health:
    - { name: latency, kind: mean, event: latency_ms, guard: { max_increase: 50% }, on_breach: pause }
    - { name: error_rate, kind: occurrence, event: search_error, guard: { max_increase_abs: 0.05 }, on_breach: notify }
risks:
  - id: R7
    title: Ranking service errors under load
    likelihood: 4
    impact: 4
    owner: search-oncall
    watch: [error_rate]
    contingency: [rollback, { notify: search-oncall }]
`;
