import { readFileSync } from 'node:fs';
import { EXIT, toJson, UsageError, type Command } from '../command.js';
import {
  reportFailure,
  SIGNER_CLIENT_HELP,
  SIGNER_CLIENT_OPTIONS,
  withSigner,
} from './signer-options.js';

interface WorkerJson {
  name: string;
  keyLabel: string;
  algorithm: string;
  formats: string[];
  products: { vendorId: string; classId: string }[];
  policy: Record<string, unknown>;
}

function printWorker(w: WorkerJson): string {
  return `${w.name}: key ${w.keyLabel} (${w.algorithm}), formats ${w.formats.join(',')}, approvals ${typeof w.policy['approvals'] === 'number' ? w.policy['approvals'] : 0}, products ${w.products.map((p) => `${p.vendorId}:${p.classId}`).join(' ')}\n`;
}

/** `cairn worker create NAME --key LABEL --product V:C ...` */
export const workerCreateCommand: Command = {
  path: ['worker', 'create'],
  summary: 'create a signing worker (key, products, formats, policy) on the signer',
  help: `Usage: cairn worker create NAME --key LABEL --product VENDOR_UUID:CLASS_UUID [--product ...]
       [--format suit|raw-digest ...] [--approvals N] [--usage-limit N] [--key-not-after ISO]
       [--chain PEM] [--policy FILE.json] [signer connection]

Without --chain the signer issues a code-signing certificate from its PKI for the key.

${SIGNER_CLIENT_HELP}

Exit codes: 0 created · 1 refused · 2 usage · 3 signer unreachable`,
  options: {
    ...SIGNER_CLIENT_OPTIONS,
    key: { type: 'string' },
    product: { type: 'string', multiple: true },
    format: { type: 'string', multiple: true },
    approvals: { type: 'string' },
    'usage-limit': { type: 'string' },
    'key-not-after': { type: 'string' },
    chain: { type: 'string' },
    policy: { type: 'string' },
  },
  positionals: [1, 1],
  run(ctx) {
    const v = ctx.values;
    if (typeof v['key'] !== 'string') throw new UsageError('--key LABEL is required');
    const products = ((v['product'] as string[] | undefined) ?? []).map((p) => {
      const [vendorId, classId, extra] = p.split(':');
      if (!vendorId || !classId || extra !== undefined)
        throw new UsageError(`--product must be VENDOR_UUID:CLASS_UUID, got '${p}'`);
      return { vendorId: vendorId.toLowerCase(), classId: classId.toLowerCase() };
    });
    if (products.length === 0)
      throw new UsageError('at least one --product VENDOR_UUID:CLASS_UUID is required');
    const policy: Record<string, unknown> =
      typeof v['policy'] === 'string'
        ? (JSON.parse(readFileSync(v['policy'], 'utf8')) as Record<string, unknown>)
        : {};
    if (typeof v['approvals'] === 'string') policy['approvals'] = Number(v['approvals']);
    if (typeof v['usage-limit'] === 'string') policy['keyUsageLimit'] = Number(v['usage-limit']);
    if (typeof v['key-not-after'] === 'string') policy['keyNotAfter'] = v['key-not-after'];
    const body = {
      name: ctx.positionals[0],
      keyLabel: v['key'],
      products,
      formats: (v['format'] as string[] | undefined) ?? ['suit'],
      policy,
      ...(typeof v['chain'] === 'string'
        ? {
            chain: [
              ...readFileSync(v['chain'], 'utf8').matchAll(
                /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g,
              ),
            ].map((m) => m[0]),
          }
        : {}),
    };
    return withSigner(ctx, 'worker create', async (c) => {
      const res = await c.request('POST', '/api/v1/workers', body);
      if (res.status !== 201) return reportFailure(ctx.io, 'worker create', res);
      ctx.io.out(v['json'] ? toJson(res.json()) : printWorker(res.json<WorkerJson>()));
      return EXIT.OK;
    });
  },
};

export const workerListCommand: Command = {
  path: ['worker', 'list'],
  summary: 'list the signing workers you can see',
  help: `Usage: cairn worker list [signer connection]\n\n${SIGNER_CLIENT_HELP}`,
  options: SIGNER_CLIENT_OPTIONS,
  run(ctx) {
    return withSigner(ctx, 'worker list', async (c) => {
      const res = await c.request('GET', '/api/v1/workers');
      if (res.status !== 200) return reportFailure(ctx.io, 'worker list', res);
      const { workers } = res.json<{ workers: WorkerJson[] }>();
      ctx.io.out(ctx.values['json'] ? toJson(workers) : workers.map(printWorker).join(''));
      return EXIT.OK;
    });
  },
};

export const workerShowCommand: Command = {
  path: ['worker', 'show'],
  summary: 'show one signing worker with its policy and certificate chain',
  help: `Usage: cairn worker show NAME [signer connection]\n\n${SIGNER_CLIENT_HELP}`,
  options: SIGNER_CLIENT_OPTIONS,
  positionals: [1, 1],
  run(ctx) {
    return withSigner(ctx, 'worker show', async (c) => {
      const res = await c.request(
        'GET',
        `/api/v1/workers/${encodeURIComponent(ctx.positionals[0]!)}`,
      );
      if (res.status !== 200) return reportFailure(ctx.io, 'worker show', res);
      ctx.io.out(toJson(res.json()));
      return EXIT.OK;
    });
  },
};
