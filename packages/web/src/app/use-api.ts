/** Loading API data into components, refreshed when a key (e.g. a launch's seq) changes. */
import { useEffect, useState } from 'react';
import { ApiError } from '../api/api-client.js';
import { useSession } from './session-context.js';

export type Loaded<T> =
  | { state: 'loading'; data?: T }
  | { state: 'ready'; data: T }
  | { state: 'error'; error: ApiError; data?: T };

/**
 * GETs `path` (null: nothing to load), again whenever `refresh` changes. The
 * previous data stays visible while a refresh loads, so live pages never blink.
 */
export function useApi<T>(path: string | null, refresh: unknown = 0): Loaded<T> {
  const { api } = useSession();
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoaded((prev) => ({
      state: 'loading',
      ...(prev.data === undefined ? {} : { data: prev.data }),
    }));
    api.get<T>(path).then(
      (data) => {
        if (live) setLoaded({ state: 'ready', data });
      },
      (err: unknown) => {
        if (!live) return;
        const error = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err));
        setLoaded((prev) => ({
          state: 'error',
          error,
          ...(prev.data === undefined ? {} : { data: prev.data }),
        }));
      },
    );
    return () => {
      live = false;
    };
  }, [api, path, refresh]);
  return loaded;
}
