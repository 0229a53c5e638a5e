/**
 * The scope ladder. admin ⊇ operator ⊇ viewer; `approver:<role>` implies viewer
 * and approves as exactly that role; `sdk` reaches only the SDK routes (/v1/*),
 * which admin may call too. admin does NOT imply any approver role: sign-off
 * authority is granted per department, never by being an administrator.
 */
import { z } from 'zod';
import type { Scope } from '../store/store.js';

/** What a route requires of the caller's token. */
export type Access = 'public' | 'sdk' | 'viewer' | 'operator' | 'admin' | 'approver';

const ROLE = /^[a-z][a-z0-9_-]{0,63}$/;

/** zod schema of one scope: sdk, viewer, operator, admin or approver:<role>. */
export const scopeSchema = z
  .string()
  .refine((s) => ['sdk', 'viewer', 'operator', 'admin'].includes(s) || isApproverScope(s), {
    error: (iss) =>
      `unknown scope "${String(iss.input)}": use sdk, viewer, operator, admin or approver:<role> (role: lowercase letters, digits, _ or -)`,
  })
  .transform((s) => s as Scope);

/** True for `approver:<role>` with a valid role name. */
export function isApproverScope(scope: string): scope is `approver:${string}` {
  return scope.startsWith('approver:') && ROLE.test(scope.slice('approver:'.length));
}

/** The approver scope for a role. */
export function approverScope(role: string): Scope {
  return `approver:${role}`;
}

/** Does a token with these scopes pass a route's access check? (approver routes check the role later.) */
export function scopesAllow(scopes: readonly Scope[], access: Access): boolean {
  const has = (s: Scope) => scopes.includes(s);
  switch (access) {
    case 'public':
      return true;
    case 'sdk':
      return has('sdk') || has('admin');
    case 'viewer':
      return has('viewer') || has('operator') || has('admin') || scopes.some(isApproverScope);
    case 'operator':
      return has('operator') || has('admin');
    case 'admin':
      return has('admin');
    case 'approver':
      return scopes.some(isApproverScope);
  }
}

/** How a 403 names what was needed, e.g. "operator (or admin)". */
export function describeAccess(access: Access): string {
  switch (access) {
    case 'public':
      return 'none';
    case 'sdk':
      return 'sdk (or admin)';
    case 'viewer':
      return 'viewer (or operator, admin, approver:<role>)';
    case 'operator':
      return 'operator (or admin)';
    case 'admin':
      return 'admin';
    case 'approver':
      return 'approver:<role>';
  }
}
