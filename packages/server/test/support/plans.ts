/** Plans the API tests upload: small, valid, and each showing one feature. */

/** A plan with no sign-offs: launches start at 1% right away. */
export const SIMPLE_PLAN = `launch: checkout-v2
owner: web-checkout
unit: userId
phases:
  - { name: canary, traffic: 1%, min_duration: 30m, min_units: 10 }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: checkout_error, guard: { max_increase: 10% }, on_breach: rollback }
`;

/** Phase 0 needs product and sre sign-off; self-approval forbidden (the default). */
export const SIGNOFF_PLAN = `launch: search-ranking
owner: search
phases:
  - { name: canary, traffic: 5%, min_duration: 30m, signoff: [product] }
  - { name: half, traffic: 50%, min_duration: 1h, signoff: [product, sre] }
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  user-impact:
    - { name: conversion, kind: occurrence, event: purchase, guard: { max_decrease: 2% }, on_breach: pause }
signoff:
  roles: { product: 1, sre: 2 }
`;

/** Same as SIGNOFF_PLAN, but the plan allows self-approval. */
export const SELF_APPROVAL_PLAN = SIGNOFF_PLAN.replace('search-ranking', 'self-ok').replace(
  'roles: { product: 1, sre: 2 }',
  'roles: { product: 1, sre: 2 }\n  allow_self_approval: true',
);

/** A blocking readiness check without evidence: launching it is refused. */
export const NOT_READY_PLAN = `launch: not-ready
owner: payments
phases:
  - { name: full, traffic: 100%, min_duration: 1h }
kpis:
  operational-health:
    - { name: error_rate, kind: occurrence, event: payment_error, guard: { max: 0.02 }, on_breach: rollback }
readiness:
  - { check: Load test at 3x peak passed, owner: sre, blocking: true }
  - { check: Runbook reviewed, owner: sre, blocking: false }
`;

/** Two mistakes at known places (line 4 col 30: bad share; line 7: unknown key). */
export const INVALID_PLAN = `launch: broken
owner: web
phases:
  - { name: canary, traffic: 150% }
kpis:
  operational-health: []
ownr: typo
`;
