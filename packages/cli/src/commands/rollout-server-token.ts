/**
 * `cairn server token create|list|revoke`: management API tokens of the update server
 * (admin role needed). The signer has its own `cairn token` commands. (This file is
 * named rollout-* for file ownership: it belongs to the rollouts/management part.)
 */
import { EXIT, toJson, UsageError, type Command } from '../command.js';
import { SERVER_HELP, SERVER_OPTIONS, serverClient } from './server-client.js';

const EXITS = 'Exit codes: 0 ok · 1 refused by the server · 2 usage · 3 server unavailable';

export const serverTokenCreateCommand: Command = {
  path: ['server', 'token', 'create'],
  summary: 'create a management API token (printed once)',
  help: `Usage: cairn server token create --role viewer|operator|admin [--name TEXT] [--expires-days N] [server options]

Roles: viewer reads; operator also manages devices, uploads releases and runs rollouts;
admin also manages products and tokens and approves rollouts. The token is printed once
and stored by the server only as a hash.

${SERVER_HELP}

${EXITS}`,
  options: {
    role: { type: 'string' },
    name: { type: 'string' },
    'expires-days': { type: 'string' },
    ...SERVER_OPTIONS,
  },
  async run(ctx) {
    const role = ctx.values['role'];
    if (role !== 'viewer' && role !== 'operator' && role !== 'admin')
      throw new UsageError('--role must be viewer, operator or admin');
    const days = ctx.values['expires-days'];
    if (days !== undefined && (typeof days !== 'string' || !/^\d{1,4}$/.test(days)))
      throw new UsageError('--expires-days must be a number of days');
    const name = typeof ctx.values['name'] === 'string' ? ctx.values['name'] : `${role} token`;
    const t = (await serverClient(ctx).request('POST', '/api/v1/tokens', {
      name,
      role,
      ...(days === undefined ? {} : { expiresInDays: Number(days) }),
    })) as { id: string; token: string; role: string; expiresAt: string };
    if (ctx.values['json']) ctx.io.out(toJson(t));
    else
      ctx.io.out(
        `${t.token}\n(token ${t.id}, role ${t.role}, expires ${t.expiresAt}; shown once, store it now)\n`,
      );
    return EXIT.OK;
  },
};

export const serverTokenListCommand: Command = {
  path: ['server', 'token', 'list'],
  summary: 'list management API tokens (never their secrets)',
  help: `Usage: cairn server token list [server options]\n\n${SERVER_HELP}\n\n${EXITS}`,
  options: { ...SERVER_OPTIONS },
  async run(ctx) {
    const list = (await serverClient(ctx).request('GET', '/api/v1/tokens')) as Record<
      string,
      unknown
    >[];
    if (ctx.values['json']) ctx.io.out(toJson(list));
    else
      for (const t of list)
        ctx.io.out(
          `${String(t['id'])}  ${String(t['role']).padEnd(8)} ${String(t['name']).padEnd(24)} expires ${String(t['expiresAt'])}${t['revokedAt'] === null ? '' : '  REVOKED'}\n`,
        );
    return EXIT.OK;
  },
};

export const serverTokenRevokeCommand: Command = {
  path: ['server', 'token', 'revoke'],
  summary: 'revoke a management API token',
  help: `Usage: cairn server token revoke ID [server options]\n\n${SERVER_HELP}\n\n${EXITS}`,
  options: { ...SERVER_OPTIONS },
  positionals: [1, 1],
  async run(ctx) {
    const id = ctx.positionals[0] ?? '';
    const t = await serverClient(ctx).request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
    if (ctx.values['json']) ctx.io.out(toJson(t));
    else ctx.io.out(`revoked ${id}\n`);
    return EXIT.OK;
  },
};
