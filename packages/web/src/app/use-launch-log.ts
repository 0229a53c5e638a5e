/**
 * A launch's log, read incrementally: the first read takes the whole log, later
 * ones only events after the last seq seen, whenever the stream says the launch
 * moved. Looks (charts, timeline) and decisions (the log) are split out here.
 */
import type { Decision } from '@threshold/core';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import type { DecisionEvent, LaunchEvent, LookRecord } from '../api/api-types.js';
import { useSession } from './session-context.js';

export interface LaunchLog {
  events: LaunchEvent[];
  looks: LookRecord[];
  decisions: DecisionEvent[];
  error: ApiError | null;
  loaded: boolean;
}

const EMPTY: LaunchLog = { events: [], looks: [], decisions: [], error: null, loaded: false };

function isDecision(data: unknown): data is Decision {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { type?: unknown }).type === 'string' &&
    typeof (data as { reason?: unknown }).reason === 'string'
  );
}

/** Splits new events into looks and decisions and appends them. */
export function appendEvents(log: LaunchLog, events: readonly LaunchEvent[]): LaunchLog {
  const last = log.events[log.events.length - 1]?.seq ?? 0;
  const fresh = events.filter((e) => e.seq > last);
  if (fresh.length === 0) return { ...log, loaded: true, error: null };
  const looks = [...log.looks];
  const decisions = [...log.decisions];
  for (const e of fresh) {
    if (e.type === 'look' && typeof e.data === 'object' && e.data !== null) {
      looks.push({ ...(e.data as Omit<LookRecord, 'seq'>), seq: e.seq });
    } else if (e.type === 'decision' && isDecision(e.data)) {
      decisions.push({ seq: e.seq, actor: e.actor, at: e.at, decision: e.data });
    }
  }
  return { events: [...log.events, ...fresh], looks, decisions, error: null, loaded: true };
}

export function useLaunchLog(id: string, seq: number | undefined): LaunchLog {
  const { api } = useSession();
  const [log, setLog] = useState<LaunchLog>(EMPTY);
  // Refs, not state: a pull in flight must see the newest wanted seq when it ends.
  const pull = useRef<{ id: string; have: number; want: number; busy: boolean } | null>(null);

  useEffect(() => {
    setLog(EMPTY);
    pull.current = { id, have: 0, want: 1, busy: false };
    return () => {
      pull.current = null;
    };
  }, [id]);

  useEffect(() => {
    const p = pull.current;
    if (p === null || p.id !== id) return;
    p.want = Math.max(p.want, seq ?? 1);
    const step = async () => {
      if (p.busy || p.have >= p.want) return;
      p.busy = true;
      const path = `/api/v1/launches/${encodeURIComponent(id)}/events${p.have > 0 ? `?after=${p.have}` : ''}`;
      try {
        const { events } = await api.get<{ events: LaunchEvent[] }>(path);
        if (pull.current !== p) return;
        p.have = Math.max(p.have, events[events.length - 1]?.seq ?? p.want);
        setLog((prev) => appendEvents(prev, events));
      } catch (err) {
        if (pull.current !== p) return;
        const error = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err));
        setLog((prev) => ({ ...prev, error, loaded: true }));
        // The next change of the launch tries again from the same seq.
        return;
      } finally {
        p.busy = false;
      }
      await step();
    };
    void step();
  }, [api, id, seq]);
  return log;
}
