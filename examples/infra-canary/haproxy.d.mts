// Types of haproxy.mjs, for the TypeScript router tests that share it.
import type { ChildProcess } from 'node:child_process';

/** Where Debian installs HAProxy. */
export const HAPROXY_BIN: string;
/** The backend every config here routes through. */
export const BACKEND: string;
/** A free TCP port on loopback. */
export function freePort(): Promise<number>;
/** One server of the backend. */
export interface HaproxyServer {
  name: string;
  port: number;
  weight: number;
}
/** The config text of one HAProxy (see haproxy.mjs). */
export function haproxyConfig(options: {
  frontPort: number;
  socket: string;
  apiPort?: number;
  metricsPort?: number;
  servers: readonly HaproxyServer[];
}): string;
/** One Runtime API command; `api` is a unix socket path or a TCP port. */
export function runtime(api: string | number, command: string): Promise<string>;
/** Start HAProxy and wait until it reports `server`'s weight. */
export function spawnHaproxy(options: {
  config: string;
  api: string | number;
  server: string;
  bin?: string;
}): Promise<ChildProcess>;
/** Stop a child with `signal` and wait until it has exited. */
export function stopProcess(proc: ChildProcess | undefined, signal?: NodeJS.Signals): Promise<void>;
