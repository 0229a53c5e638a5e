/** The app: sign in with a token (kept in memory only), then the pages. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, createApiClient } from '../api/api-client.js';
import type { WhoAmI } from '../api/api-types.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { AppShell } from './app-shell.js';
import { LaunchStreamProvider } from './launch-stream.js';
import { SessionContext } from './session-context.js';
import type { Session } from './session-context.js';
import { takeTokenFromAddressBar } from '../auth/sign-in-link.js';

interface SignedIn {
  token: string;
  who: WhoAmI;
}

export function DashboardApp({ linkToken }: { linkToken: string | undefined }) {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(linkToken !== undefined);

  const signIn = useCallback(async (token: string) => {
    setChecking(true);
    setError(null);
    try {
      const who = await createApiClient(token).get<WhoAmI>('/api/v1/whoami');
      setSignedIn({ token, who });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err)));
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    if (linkToken !== undefined) void signIn(linkToken);
  }, [linkToken, signIn]);

  // A sign-in link opened in a tab already showing the dashboard changes only the
  // fragment: no page load reads it, so the fragment's change does.
  useEffect(() => {
    const onHash = () => {
      const token = takeTokenFromAddressBar();
      if (token !== undefined) void signIn(token);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [signIn]);

  const session = useMemo<Session | null>(
    () =>
      signedIn === null
        ? null
        : {
            api: createApiClient(signedIn.token),
            who: signedIn.who,
            signOut: () => setSignedIn(null),
          },
    [signedIn],
  );

  if (session === null) {
    return <SignInPage onSignIn={signIn} error={error} checking={checking} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <LaunchStreamProvider api={session.api}>
        <AppShell />
      </LaunchStreamProvider>
    </SessionContext.Provider>
  );
}
