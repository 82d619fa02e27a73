import { EXIT, toJson, type Command } from '../command.js';
import { SERVER_HELP, SERVER_OPTIONS, serverClient } from './server-client.js';

/** `cairn release list`. */
export const releaseListCommand: Command = {
  path: ['release', 'list'],
  summary: 'list releases (optionally of one product)',
  help: `Usage: cairn release list [--product ID] [--json] [server options]

${SERVER_HELP}

Exit codes: 0 ok · 1 refused by the server · 2 usage · 3 server unavailable`,
  options: { product: { type: 'string' }, ...SERVER_OPTIONS },
  async run(ctx) {
    const p = ctx.values['product'];
    const q = typeof p === 'string' ? `?product=${encodeURIComponent(p)}` : '';
    const list = (await serverClient(ctx).request('GET', `/api/v1/releases${q}`)) as Record<
      string,
      unknown
    >[];
    if (ctx.values['json']) ctx.io.out(toJson(list));
    else {
      ctx.io.out(`${list.length} release(s)\n`);
      for (const r of list) {
        ctx.io.out(
          `  ${String(r['id']).padStart(5)}  ${String(r['productId']).padEnd(16)} seq ${String(r['sequenceNumber']).padEnd(8)} ${String(r['version']).padEnd(12)} ${String(r['createdAt'])}\n`,
        );
      }
    }
    return EXIT.OK;
  },
};
