/**
 * The signed-in session: the API client (holding the token in memory) and who
 * the token belongs to. Reloading the page forgets the token on purpose.
 */
import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { WhoAmI } from '../api/api-types.js';

export interface Session {
  api: ApiClient;
  who: WhoAmI;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

/** The session; only used below the signed-in shell. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in dashboard');
  return session;
}

/** Whether the token may pause, resume and roll back. */
export function canOperate(who: WhoAmI): boolean {
  return who.scopes.includes('operator') || who.scopes.includes('admin');
}

/** Roles this token may approve as (`approver:<role>` scopes). */
export function approverRoles(who: WhoAmI): string[] {
  return who.scopes.filter((s) => s.startsWith('approver:')).map((s) => s.slice(9));
}
