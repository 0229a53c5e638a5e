/**
 * One live connection per tab to `GET /api/v1/stream`: a snapshot of every launch,
 * then one summary per change. Pages read launches from here, and refetch their
 * details when a launch's `seq` moves. EventSource cannot send a bearer token,
 * so the stream is read with fetch, and reconnected with jittered backoff.
 */
import { backoffDelay } from '@threshold/sdk';
import { createContext, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { LaunchSummary } from '../api/api-types.js';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface LaunchStreamState {
  status: StreamStatus;
  /** Every launch by id, as last announced. */
  launches: ReadonlyMap<string, LaunchSummary>;
}

const LaunchStreamContext = createContext<LaunchStreamState>({
  status: 'connecting',
  launches: new Map(),
});

export function useLaunchStream(): LaunchStreamState {
  return useContext(LaunchStreamContext);
}

export function LaunchStreamProvider({ api, children }: { api: ApiClient; children: ReactNode }) {
  const [state, setState] = useState<LaunchStreamState>({
    status: 'connecting',
    launches: new Map(),
  });
  useEffect(() => {
    const abort = new AbortController();
    let attempt = 0;
    const run = async () => {
      while (!abort.signal.aborted) {
        try {
          await api.stream(
            '/api/v1/stream',
            (m) => {
              attempt = 0;
              if (m.event === 'snapshot') {
                const { launches } = JSON.parse(m.data) as { launches: LaunchSummary[] };
                setState({ status: 'live', launches: new Map(launches.map((l) => [l.id, l])) });
              } else if (m.event === 'launch') {
                const launch = JSON.parse(m.data) as LaunchSummary;
                setState((prev) => {
                  const launches = new Map(prev.launches);
                  const seen = launches.get(launch.id);
                  if (seen === undefined || seen.seq <= launch.seq) launches.set(launch.id, launch);
                  return { status: 'live', launches };
                });
              }
            },
            abort.signal,
          );
        } catch {
          // Dropped or refused: retry below, like any ended stream.
        }
        if (abort.signal.aborted) return;
        setState((prev) => ({ ...prev, status: 'reconnecting' }));
        await new Promise((resolve) =>
          setTimeout(resolve, 250 + backoffDelay(attempt++, 500, 15_000)),
        );
      }
    };
    void run();
    return () => abort.abort();
  }, [api]);
  return <LaunchStreamContext.Provider value={state}>{children}</LaunchStreamContext.Provider>;
}
