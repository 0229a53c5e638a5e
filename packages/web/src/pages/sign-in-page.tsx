/**
 * Sign in through the OpenID provider (when the server has one: a session
 * cookie, kept across reloads) or with an API token (kept in memory only: a
 * reload signs out, and nothing secret is written to storage).
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ApiError } from '../api/api-client.js';
import { ErrorNote } from '../components/error-note.js';

export function SignInPage({
  onSignIn,
  error,
  checking,
  singleSignOn,
}: {
  onSignIn: (token: string) => Promise<void>;
  error: ApiError | null;
  checking: boolean;
  /** The server signs people in through an OpenID provider. */
  singleSignOn: boolean;
}) {
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim() !== '') void onSignIn(token.trim());
  };
  return (
    <main className="sign-in">
      <h1>Threshold</h1>
      {singleSignOn ? (
        <p>
          <a
            className="button"
            href={`/auth/login?returnTo=${encodeURIComponent(window.location.pathname + window.location.search)}`}
          >
            Sign in with single sign-on
          </a>
        </p>
      ) : null}
      <p>Sign in with an API token (viewer, operator, approver:&lt;role&gt; or admin).</p>
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="thr_…"
        />
        <button type="submit" disabled={checking || token.trim() === ''}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      {error === null ? null : <ErrorNote error={error} />}
      <p className="muted">
        Create a token with <code>npx threshold token create --scope viewer</code>, or open the
        sign-in link <code>npm start</code> prints. The token is kept in this tab&apos;s memory
        only: reloading the page signs you out.
      </p>
    </main>
  );
}
