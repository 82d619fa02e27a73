import { EXIT, toJson, type Command } from '../command.js';
import {
  reportFailure,
  SIGNER_CLIENT_HELP,
  SIGNER_CLIENT_OPTIONS,
  withSigner,
} from './signer-options.js';

/** `cairn approve REQUEST_ID [--deny] [--comment TEXT]` */
export const approveCommand: Command = {
  path: ['approve'],
  summary: 'approve (or --deny) a pending signing request',
  help: `Usage: cairn approve REQUEST_ID [--deny] [--comment TEXT] [signer connection]

Needs the release-manager role on the request's worker; the requester cannot approve.
The last required approval makes the signature.

${SIGNER_CLIENT_HELP}

Exit codes: 0 recorded · 1 refused · 2 usage · 3 signer unreachable`,
  options: { ...SIGNER_CLIENT_OPTIONS, deny: { type: 'boolean' }, comment: { type: 'string' } },
  positionals: [1, 1],
  run(ctx) {
    const decision = ctx.values['deny'] ? 'deny' : 'approve';
    return withSigner(ctx, 'approve', async (c) => {
      const res = await c.request(
        'POST',
        `/api/v1/requests/${encodeURIComponent(ctx.positionals[0]!)}/${decision}`,
        typeof ctx.values['comment'] === 'string' ? { comment: ctx.values['comment'] } : {},
      );
      if (res.status !== 200) return reportFailure(ctx.io, 'approve', res);
      const r = res.json<{ id: string; status: string; approvals: unknown[] }>();
      ctx.io.out(
        ctx.values['json']
          ? toJson(r)
          : `${r.id}: ${r.status} (${r.approvals.length} decision(s))\n`,
      );
      return EXIT.OK;
    });
  },
};

export const approvalsListCommand: Command = {
  path: ['approvals', 'list'],
  summary: 'list signing requests (pending by default)',
  help: `Usage: cairn approvals list [--status pending|signed|denied|expired|failed] [signer connection]\n\n${SIGNER_CLIENT_HELP}`,
  options: { ...SIGNER_CLIENT_OPTIONS, status: { type: 'string' } },
  run(ctx) {
    const status = typeof ctx.values['status'] === 'string' ? ctx.values['status'] : 'pending';
    return withSigner(ctx, 'approvals list', async (c) => {
      const res = await c.request('GET', `/api/v1/requests?status=${encodeURIComponent(status)}`);
      if (res.status !== 200) return reportFailure(ctx.io, 'approvals list', res);
      const { requests } = res.json<{
        requests: {
          id: string;
          worker: string;
          requester: string;
          status: string;
          expiresAt: string;
          approvals: unknown[];
          kind?: 'release' | 'digest';
          release?: { version: string; sequence: unknown };
          digest?: string;
        }[];
      }>();
      if (ctx.values['json']) ctx.io.out(toJson(requests));
      else
        for (const r of requests)
          ctx.io.out(
            `${r.id}  ${r.worker}  ${
              r.release
                ? `v${r.release.version} seq ${String(r.release.sequence)}`
                : `digest ${r.digest ?? '?'}`
            }  by ${r.requester}  ${r.status} (${r.approvals.length} approval(s), expires ${r.expiresAt})\n`,
          );
      return EXIT.OK;
    });
  },
};
