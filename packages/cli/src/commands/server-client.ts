/**
 * What the release/device commands share: where the server is, the admin token (from an
 * environment variable, never argv), and one request helper that turns the server's
 * `{errorCode, message}` bodies into readable failures.
 */
import { BaseError } from '@cairn/core';
import { UsageError, type CommandContext, type Options } from '../command.js';

export const SERVER_OPTIONS: Options = {
  server: { type: 'string' },
  'admin-token-env': { type: 'string' },
  json: { type: 'boolean' },
};

export const SERVER_HELP = `Server options:
  --server URL              update server (default $CAIRN_SERVER_URL or http://127.0.0.1:8080)
  --admin-token-env NAME    environment variable holding the admin token (default CAIRN_ADMIN_TOKEN)
  --json                    print JSON`;

export type ServerCallErrorCode = 'SERVER_UNREACHABLE' | 'SERVER_REFUSED' | 'ADMIN_TOKEN_MISSING';
export class ServerCallError extends BaseError<ServerCallErrorCode> {}

export interface ServerClient {
  readonly url: string;
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown>;
}

export function serverClient(ctx: CommandContext): ServerClient {
  const v = ctx.values;
  const url = String(
    v['server'] ?? process.env['CAIRN_SERVER_URL'] ?? 'http://127.0.0.1:8080',
  ).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(url))
    throw new UsageError(`--server must be an http(s) URL, got "${url}"`);
  const envName = String(v['admin-token-env'] ?? 'CAIRN_ADMIN_TOKEN');
  const token = process.env[envName];
  if (token === undefined || token === '') {
    throw new ServerCallError(
      'ADMIN_TOKEN_MISSING',
      `set the admin token in $${envName} (the server's adminToken)`,
    );
  }
  return {
    url,
    async request(method, path, body, contentType = 'application/json') {
      let res: Response;
      try {
        res = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': contentType }),
          },
          ...(body === undefined
            ? {}
            : {
                body:
                  contentType === 'application/json'
                    ? JSON.stringify(body)
                    : (body as NonNullable<RequestInit['body']>),
                duplex: 'half',
              }),
        });
      } catch (err) {
        throw new ServerCallError(
          'SERVER_UNREACHABLE',
          `cannot reach ${url}: ${(err as Error).message}; is 'cairn server serve' running?`,
          { cause: err },
        );
      }
      const text = await res.text();
      const parsed: unknown = text === '' ? undefined : JSON.parse(text);
      if (!res.ok) {
        const e = parsed as { errorCode?: string; message?: string } | undefined;
        throw new ServerCallError(
          'SERVER_REFUSED',
          `${res.status} ${e?.errorCode ?? ''}: ${e?.message ?? text}`,
          {
            details: { status: res.status, errorCode: e?.errorCode },
          },
        );
      }
      return parsed;
    },
  };
}
