/**
 * `threshold login` and `threshold logout`: a person signs the CLI in through
 * the server's OpenID provider with the device authorization grant (RFC 8628):
 * the CLI shows a code, the person enters it at the provider in any browser,
 * and the server hands the CLI a session secret, kept in the credentials file.
 */
import { parseCommandArgs } from '../args.js';
import { credentialsPath, forgetLogin, saveLogin } from '../credentials.js';
import { helpText } from '../help.js';
import type { Io } from '../io.js';
import { terminalSafe as terminalText } from '../terminal-text.js';
import { ApiCallError, callApi, connectionOf } from './launch-http.js';

interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  interval: number;
  expiresIn: number;
}

interface DevicePoll {
  status: 'pending' | 'signed-in';
  slowDown?: boolean;
  token?: string;
  subject?: string;
  name?: string;
  scopes?: string[];
  expiresAt?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `threshold login [--server URL] [--json]`. */
export async function runLogin(args: readonly string[], io: Io): Promise<number> {
  const name = 'login';
  const parsed = parseCommandArgs(args, {
    name,
    flags: ['json'],
    values: ['server'],
    positionals: 'none',
  });
  if (parsed.help) {
    io.stdout.write(helpText(name) ?? '');
    return 0;
  }
  const env = io.env ?? {};
  const server = connectionOf(parsed, io, name).url;
  const anonymous = { url: server, token: undefined };
  try {
    const start = await callApi<DeviceStart>(anonymous, 'POST', '/auth/device');
    io.stderr.write(
      `To sign in, open ${terminalText(start.verificationUriComplete ?? start.verificationUri)}\n` +
        `and confirm the code ${terminalText(start.userCode)} (valid ${Math.round(start.expiresIn / 60)} minutes).\n` +
        'Waiting for the provider...\n',
    );
    let interval = Math.max(1, start.interval) * 1000;
    const deadline = Date.now() + start.expiresIn * 1000;
    for (;;) {
      await sleep(interval);
      const polled = await callApi<DevicePoll>(anonymous, 'POST', '/auth/device/token', {
        json: { deviceCode: start.deviceCode },
      });
      if (polled.status === 'signed-in' && polled.token !== undefined) {
        const login = {
          token: polled.token,
          subject: polled.subject ?? '',
          name: polled.name ?? '',
          expiresAt: polled.expiresAt ?? new Date(deadline).toISOString(),
        };
        const path = credentialsPath(env);
        saveLogin(path, server, login);
        if (parsed.flags.has('json'))
          io.stdout.write(
            `${JSON.stringify({ server, subject: login.subject, name: login.name, scopes: polled.scopes ?? [], expiresAt: login.expiresAt, credentials: path }, null, 2)}\n`,
          );
        else
          io.stdout.write(
            `Signed in to ${server} as ${terminalText(login.name)} (${terminalText(login.subject)}) with ${(polled.scopes ?? []).join(', ') || 'no scopes'} until ${login.expiresAt}.\n` +
              `The session is saved in ${path} (readable by you only); 'threshold logout' ends it.\n`,
          );
        return 0;
      }
      // RFC 8628: slow_down asks for 5 more seconds between polls.
      if (polled.slowDown === true) interval += 5000;
      if (Date.now() > deadline) {
        io.stderr.write(
          'threshold login: the code expired before it was confirmed; run it again.\n',
        );
        return 1;
      }
    }
  } catch (err) {
    if (err instanceof ApiCallError) {
      io.stderr.write(`threshold login: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** `threshold logout [--server URL]`: ends the session at the server and forgets it. */
export async function runLogout(args: readonly string[], io: Io): Promise<number> {
  const name = 'logout';
  const parsed = parseCommandArgs(args, {
    name,
    flags: [],
    values: ['server'],
    positionals: 'none',
  });
  if (parsed.help) {
    io.stdout.write(helpText(name) ?? '');
    return 0;
  }
  const conn = connectionOf(parsed, io, name);
  const path = credentialsPath(io.env ?? {});
  if (conn.token !== undefined && conn.token.startsWith('ths_')) {
    try {
      await callApi(conn, 'POST', '/auth/logout');
    } catch (err) {
      // An ended or expired session is what logout wants; forget it all the same.
      if (!(err instanceof ApiCallError) || err.status !== 401) {
        io.stderr.write(`threshold logout: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
      }
    }
  }
  const forgot = forgetLogin(path, conn.url);
  io.stdout.write(forgot ? `Signed out of ${conn.url}.\n` : `Not signed in to ${conn.url}.\n`);
  return 0;
}
