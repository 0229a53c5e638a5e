/**
 * The app: signed in by the session cookie (single sign-on through the provider,
 * kept across reloads) or by an API token (kept in memory only), then the pages.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  ApiError,
  cookieSession,
  createApiClient,
  signOutSession,
  singleSignOn,
} from '../api/api-client.js';
import type { WhoAmI } from '../api/api-types.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { AppShell } from './app-shell.js';
import { LaunchStreamProvider } from './launch-stream.js';
import { SessionContext } from './session-context.js';
import type { Session } from './session-context.js';
import { takeTokenFromAddressBar } from '../auth/sign-in-link.js';

type SignedIn = { token: string; who: WhoAmI } | { csrf: string; who: WhoAmI };

export function DashboardApp({ linkToken }: { linkToken: string | undefined }) {
  const [signedIn, setSignedIn] = useState<SignedIn | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(true);
  const [sso, setSso] = useState(false);

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
    if (linkToken !== undefined) {
      void signIn(linkToken);
      return;
    }
    // A session cookie from the provider's sign-in outlives a reload; the page cannot read
    // the cookie (HttpOnly), so it asks the server who it is.
    void (async () => {
      const [who, offered] = await Promise.all([cookieSession(), singleSignOn()]);
      setSso(offered);
      if (who?.csrf !== undefined) setSignedIn({ csrf: who.csrf, who });
      setChecking(false);
    })();
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

  const session = useMemo<Session | null>(() => {
    if (signedIn === null) return null;
    if ('token' in signedIn)
      return {
        api: createApiClient(signedIn.token),
        who: signedIn.who,
        signOut: () => setSignedIn(null),
      };
    const { csrf } = signedIn;
    return {
      api: createApiClient({ csrf }),
      who: signedIn.who,
      signOut: () => {
        void signOutSession(csrf).then(() => {
          setSso(true);
          setSignedIn(null);
        });
      },
    };
  }, [signedIn]);

  if (session === null) {
    return <SignInPage onSignIn={signIn} error={error} checking={checking} singleSignOn={sso} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <LaunchStreamProvider api={session.api}>
        <AppShell />
      </LaunchStreamProvider>
    </SessionContext.Provider>
  );
}
