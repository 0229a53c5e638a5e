/**
 * A real OpenID provider for tests: the `oidc-provider` package on a loopback
 * port, with one confidential client (authorization code with PKCE, and the
 * device grant) and a few test people. Its sign-in page is a form listing the
 * people (the page a company's provider would show), so Chromium can click
 * through it and `signInOverHttp` can post it like a browser with a cookie jar.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A test person: their `sub` is the key. */
export interface TestPerson {
  name: string;
  email: string;
  groups: string[];
}

/** The people the provider knows. */
export const TEST_PEOPLE: Record<string, TestPerson> = {
  alice: {
    name: 'Alice Approver',
    email: 'alice@example.test',
    groups: ['threshold:viewer', 'threshold:approver:product'],
  },
  olivia: { name: 'Olivia Operator', email: 'olivia@example.test', groups: ['launch-team'] },
  sam: {
    name: 'Sam Starter',
    email: 'sam@example.test',
    groups: ['launch-team', 'threshold:approver:product'],
  },
  nobody: { name: 'Nora Nogroups', email: 'nora@example.test', groups: [] },
};

/** The server's mapping of the provider's groups used with these people. */
export const TEST_ROLES = { 'launch-team': ['operator' as const] };

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers the client with this redirect URI and starts answering (call once). */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Starts the provider's listener; `register` then configures it for the server under test. */
export async function openTestProvider(): Promise<TestProvider> {
  let provider: Provider | undefined;
  const server: Server = createServer((req, res) => {
    if (provider === undefined) {
      res.writeHead(503).end('not registered yet');
      return;
    }
    void handle(provider, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'threshold';
  const clientSecret = 'threshold-test-secret-0123456789abcdef';

  async function handle(p: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
    if (m === null) {
      p.callback()(req, res);
      return;
    }
    try {
      const details = await p.interactionDetails(req, res);
      if (m[2] === undefined) {
        const options = Object.entries(TEST_PEOPLE)
          .map(([sub, who]) => `<option value="${sub}">${escapeHtml(who.name)}</option>`)
          .join('');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><title>Test provider</title><h1>Test provider sign-in</h1>` +
            `<form method="post" action="/interaction/${details.uid}/login">` +
            `<label for="login">Person</label><select id="login" name="login">${options}</select>` +
            `<button type="submit">Sign in at the provider</button></form>`,
        );
        return;
      }
      const login = (await formBody(req)).get('login') ?? '';
      if (!(login in TEST_PEOPLE)) {
        res.writeHead(400).end('unknown person');
        return;
      }
      const clientIdOf = String(details.params.client_id);
      const grant = new p.Grant({ accountId: login, clientId: clientIdOf });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      const grantId = await grant.save();
      await p.interactionFinished(
        req,
        res,
        { login: { accountId: login }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  }

  return {
    issuer,
    clientId,
    clientSecret,
    register(redirectUri) {
      provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        claims: {
          openid: ['sub'],
          profile: ['name'],
          email: ['email'],
          groups: ['groups'],
        },
        scopes: ['openid', 'profile', 'email', 'groups'],
        features: {
          devInteractions: { enabled: false },
          deviceFlow: { enabled: true },
        },
        // Set, so the provider does not warn about its defaults on every test.
        ttl: {
          AccessToken: 3600,
          AuthorizationCode: 600,
          DeviceCode: 600,
          Grant: 3600,
          IdToken: 3600,
          Interaction: 3600,
          Session: 3600,
        },
        interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
        findAccount: (_ctx, sub) => {
          const who = TEST_PEOPLE[sub];
          if (who === undefined) return undefined;
          return {
            accountId: sub,
            claims: () => ({ sub, name: who.name, email: who.email, groups: who.groups }),
          };
        },
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A cookie jar per origin, enough for a sign-in's redirects. */
export class CookieJar {
  readonly #byHost = new Map<string, Map<string, string>>();

  store(url: string, res: Response): void {
    const host = new URL(url).host;
    const jar = this.#byHost.get(host) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.#byHost.set(host, jar);
  }

  header(url: string): string {
    const jar = this.#byHost.get(new URL(url).host);
    return jar === undefined ? '' : [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  get(url: string, name: string): string | undefined {
    return this.#byHost.get(new URL(url).host)?.get(name);
  }
}

/** One request as a browser would send it, without following redirects. */
export async function browserFetch(
  jar: CookieJar,
  url: string,
  init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Response> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      cookie: jar.header(url),
      ...(init.form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      ...init.headers,
    },
    ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form).toString() }),
  });
  jar.store(url, res);
  return res;
}

/**
 * Signs `person` in to the server at `serverUrl` like a browser: /auth/login, the
 * provider's page (posting its form), and back to /auth/callback. Returns the
 * last answer (the callback's redirect) and the jar holding the session cookie.
 */
export async function signInOverHttp(
  serverUrl: string,
  person: string,
  jar = new CookieJar(),
): Promise<{ jar: CookieJar; last: Response }> {
  let url = `${serverUrl}/auth/login`;
  let res = await browserFetch(jar, url);
  for (let hops = 0; hops < 12; hops++) {
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      url = new URL(location, url).href;
      if (url.startsWith(`${serverUrl}/`) && !url.startsWith(`${serverUrl}/auth/`))
        return { jar, last: res };
      res = await browserFetch(jar, url);
      continue;
    }
    const interaction = /^\/interaction\/([^/]+)$/.exec(new URL(url).pathname);
    if (res.status === 200 && interaction !== null) {
      await res.text();
      url = `${url}/login`;
      res = await browserFetch(jar, url, { method: 'POST', form: { login: person } });
      continue;
    }
    return { jar, last: res };
  }
  throw new Error('sign-in did not finish within 12 hops');
}

/** A free loopback port (the server's public URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The first form of an HTML page: its action and hidden inputs. */
function firstForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (form === null) return undefined;
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1];
    if (name !== undefined && value !== undefined)
      fields[name] = value.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  }
  return { action: (form[1] ?? '').replace(/&amp;/g, '&'), fields };
}

/**
 * Confirms a device sign-in as `person` like a browser would: opens the
 * verification link, submits the provider's forms (its code confirmation and
 * the sign-in page) until the provider says the device is signed in.
 */
export async function approveDeviceOverHttp(
  verificationUri: string,
  person: string,
): Promise<void> {
  const jar = new CookieJar();
  let url = verificationUri;
  let res = await browserFetch(jar, url);
  for (let hops = 0; hops < 20; hops++) {
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      url = new URL(location, url).href;
      res = await browserFetch(jar, url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200)
      throw new Error(`provider answered ${res.status}: ${html.slice(0, 300)}`);
    if (/Sign-in Success/i.test(html)) return;
    if (/^\/interaction\/[^/]+$/.test(new URL(url).pathname)) {
      url = `${url}/login`;
      res = await browserFetch(jar, url, { method: 'POST', form: { login: person } });
      continue;
    }
    const form = firstForm(html);
    if (form === undefined) throw new Error(`no form on ${url}: ${html.slice(0, 300)}`);
    url = new URL(form.action, url).href;
    res = await browserFetch(jar, url, { method: 'POST', form: form.fields });
  }
  throw new Error('device sign-in did not finish within 20 hops');
}
