import { EXIT, toJson, UsageError, type Command } from '../command.js';
import {
  reportFailure,
  SIGNER_CLIENT_HELP,
  SIGNER_CLIENT_OPTIONS,
  withSigner,
} from './signer-options.js';

const ROLES = ['admin', 'release-manager', 'signer', 'auditor'];

/** `cairn token create NAME --grant ROLE[@WORKER] ...` */
export const tokenCreateCommand: Command = {
  path: ['token', 'create'],
  summary: 'create an API token (printed once) scoped to roles on workers',
  help: `Usage: cairn token create NAME --grant ROLE[@WORKER] [--grant ...] [--ttl DAYS] [signer connection]

ROLE is admin, release-manager, signer or auditor; WORKER defaults to '*' (every worker).
The token is printed once on stdout; the signer keeps only its SHA-256.

${SIGNER_CLIENT_HELP}`,
  options: {
    ...SIGNER_CLIENT_OPTIONS,
    grant: { type: 'string', multiple: true },
    ttl: { type: 'string' },
  },
  positionals: [1, 1],
  run(ctx) {
    const grants = ((ctx.values['grant'] as string[] | undefined) ?? []).map((g) => {
      const [role, worker = '*'] = g.split('@');
      if (!role || !ROLES.includes(role))
        throw new UsageError(`--grant ${g}: role must be one of ${ROLES.join(', ')}`);
      return { role, worker };
    });
    if (grants.length === 0) throw new UsageError('at least one --grant ROLE[@WORKER] is required');
    const ttlDays = typeof ctx.values['ttl'] === 'string' ? Number(ctx.values['ttl']) : 90;
    if (!Number.isInteger(ttlDays) || ttlDays < 1)
      throw new UsageError('--ttl must be a whole number of days');
    return withSigner(ctx, 'token create', async (c) => {
      const res = await c.request('POST', '/api/v1/tokens', {
        name: ctx.positionals[0],
        grants,
        ttlSeconds: ttlDays * 86400,
      });
      if (res.status !== 201) return reportFailure(ctx.io, 'token create', res);
      const j = res.json<{ token: string; id: string; expiresAt: string }>();
      if (ctx.values['json']) ctx.io.out(toJson(j));
      else {
        ctx.io.out(`${j.token}\n`);
        ctx.io.err(`token ${j.id} expires ${j.expiresAt}; it is shown only now\n`);
      }
      return EXIT.OK;
    });
  },
};

export const tokenListCommand: Command = {
  path: ['token', 'list'],
  summary: 'list API tokens (never their secrets)',
  help: `Usage: cairn token list [signer connection]\n\n${SIGNER_CLIENT_HELP}`,
  options: SIGNER_CLIENT_OPTIONS,
  run(ctx) {
    return withSigner(ctx, 'token list', async (c) => {
      const res = await c.request('GET', '/api/v1/tokens');
      if (res.status !== 200) return reportFailure(ctx.io, 'token list', res);
      const { tokens } = res.json<{
        tokens: {
          id: string;
          name: string;
          expiresAt: string;
          revokedAt: string | null;
          grants: { role: string; worker: string }[];
        }[];
      }>();
      if (ctx.values['json']) ctx.io.out(toJson(tokens));
      else
        for (const t of tokens)
          ctx.io.out(
            `${t.id}  ${t.name.padEnd(20)} ${t.revokedAt ? `revoked ${t.revokedAt}` : `expires ${t.expiresAt}`}  ${t.grants.map((g) => `${g.role}@${g.worker}`).join(',')}\n`,
          );
      return EXIT.OK;
    });
  },
};

export const tokenRevokeCommand: Command = {
  path: ['token', 'revoke'],
  summary: 'revoke an API token',
  help: `Usage: cairn token revoke TOKEN_ID [signer connection]\n\n${SIGNER_CLIENT_HELP}`,
  options: SIGNER_CLIENT_OPTIONS,
  positionals: [1, 1],
  run(ctx) {
    return withSigner(ctx, 'token revoke', async (c) => {
      const res = await c.request(
        'DELETE',
        `/api/v1/tokens/${encodeURIComponent(ctx.positionals[0]!)}`,
      );
      if (res.status !== 200) return reportFailure(ctx.io, 'token revoke', res);
      ctx.io.out(`revoked ${ctx.positionals[0]!}\n`);
      return EXIT.OK;
    });
  },
};
