import { EXIT, toJson, type Command } from '../command.js';
import { SERVER_HELP, SERVER_OPTIONS, serverClient } from './server-client.js';

/** `cairn device list`. */
export const deviceListCommand: Command = {
  path: ['device', 'list'],
  summary: 'list registered devices',
  help: `Usage: cairn device list [--product ID] [--limit N] [--offset N] [--json] [server options]

${SERVER_HELP}

Exit codes: 0 ok · 1 refused by the server · 2 usage · 3 server unavailable`,
  options: {
    product: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
    ...SERVER_OPTIONS,
  },
  async run(ctx) {
    const q = new URLSearchParams();
    for (const k of ['product', 'limit', 'offset']) {
      const v = ctx.values[k];
      if (typeof v === 'string') q.set(k, v);
    }
    const qs = q.size > 0 ? `?${q.toString()}` : '';
    const list = (await serverClient(ctx).request('GET', `/api/v1/devices${qs}`)) as Record<
      string,
      unknown
    >[];
    if (ctx.values['json']) ctx.io.out(toJson(list));
    else {
      ctx.io.out(`${list.length} device(s)\n`);
      for (const d of list) {
        ctx.io.out(
          `  ${String(d['controllerId']).padEnd(24)} ${String(d['productId']).padEnd(16)} ${String(d['state']).padEnd(10)} installed ${String((d['installedReleaseId'] as number | null) ?? '-')}  last seen ${(d['lastSeen'] as string | null) ?? 'never'}\n`,
        );
      }
    }
    return EXIT.OK;
  },
};
