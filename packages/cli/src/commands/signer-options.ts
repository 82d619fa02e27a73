import { readFileSync } from 'node:fs';
import { SignerClient } from '@cairn/signer';
import type { ClientResponse } from '@cairn/signer';
import { EXIT, UsageError, type CommandContext, type Io, type Options } from '../command.js';

/** Options of every command that talks to a signing service over its API. */
export const SIGNER_CLIENT_OPTIONS: Options = Object.freeze({
  signer: { type: 'string' },
  'token-env': { type: 'string' },
  cacert: { type: 'string' },
  json: { type: 'boolean' },
});

export const SIGNER_CLIENT_HELP = `Signer connection:
  --signer URL        the signing service            [CAIRN_SIGNER_URL]
  --token-env VAR     env var holding the API token  [default: CAIRN_SIGNER_TOKEN]
  --cacert PEM        CA certificate to trust for the signer's TLS certificate [CAIRN_SIGNER_CACERT]
  --json              machine-readable output`;

const str = (v: CommandContext['values'], k: string): string | undefined => {
  const x = v[k];
  return typeof x === 'string' && x !== '' ? x : undefined;
};

export function signerClient(
  ctx: CommandContext,
  env: NodeJS.ProcessEnv = process.env,
): SignerClient {
  const url = str(ctx.values, 'signer') ?? env['CAIRN_SIGNER_URL'];
  if (!url) throw new UsageError('--signer URL (or CAIRN_SIGNER_URL) is required');
  const tokenEnv = str(ctx.values, 'token-env') ?? 'CAIRN_SIGNER_TOKEN';
  const token = env[tokenEnv];
  if (!token) throw new UsageError(`the API token is read from $${tokenEnv}, which is not set`);
  const caPath = str(ctx.values, 'cacert') ?? env['CAIRN_SIGNER_CACERT'];
  let ca: string | undefined;
  if (caPath) {
    try {
      ca = readFileSync(caPath, 'utf8');
    } catch (err) {
      throw new UsageError(
        `cannot read --cacert ${caPath} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`,
      );
    }
  }
  return new SignerClient({ url, token, ...(ca ? { ca } : {}) });
}

/** Print an API error response and return the exit code for it. */
export function reportFailure(io: Io, command: string, res: ClientResponse): number {
  let code = `HTTP ${res.status}`;
  let message = res.body.slice(0, 2000);
  try {
    const j = res.json<{ error?: string; message?: string }>();
    code = j.error ?? code;
    message = j.message ?? message;
  } catch {
    // not JSON
  }
  const verb =
    res.status === 401 || res.status === 403 || res.status === 409 || res.status === 410
      ? 'denied'
      : 'failed';
  io.err(`cairn ${command}: ${verb}: ${code}: ${message}\n`);
  return res.status >= 500 ? EXIT.ENVIRONMENT : EXIT.FAILED;
}

/** Run `fn` with a client; connection errors exit 3 with the reason. */
export async function withSigner(
  ctx: CommandContext,
  command: string,
  fn: (c: SignerClient) => Promise<number>,
): Promise<number> {
  const client = signerClient(ctx);
  try {
    return await fn(client);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (
      typeof e.code === 'string' &&
      /^(E[A-Z]+|ERR_TLS|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|CERT_)/.test(e.code)
    ) {
      ctx.io.err(
        `cairn ${command}: cannot reach the signer (${e.code}: ${e.message}); check --signer and --cacert\n`,
      );
      return EXIT.ENVIRONMENT;
    }
    throw err;
  } finally {
    client.close();
  }
}
