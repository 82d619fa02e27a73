import { EXIT, UsageError, toJson, type Command } from '../command.js';
import { SERVER_HELP, SERVER_OPTIONS, serverClient } from './server-client.js';

/** `cairn device add`: register a device; prints its TargetToken once. */
export const deviceAddCommand: Command = {
  path: ['device', 'add'],
  summary: 'register a device and print its TargetToken (shown once)',
  help: `Usage: cairn device add CONTROLLER_ID --product ID [--attr k=v ...] [--json] [server options]

Registers the device. Its DDI TargetToken is printed once: the server keeps only its
SHA-256, so store it on the device now (SWUpdate: suricatta -k TOKEN).

${SERVER_HELP}

Exit codes: 0 registered · 1 refused (exists, unknown product) · 2 usage · 3 server unavailable`,
  options: {
    product: { type: 'string' },
    attr: { type: 'string', multiple: true },
    ...SERVER_OPTIONS,
  },
  positionals: [1, 1],
  async run(ctx) {
    const product = ctx.values['product'];
    if (typeof product !== 'string') throw new UsageError('--product ID is required');
    const attributes: Record<string, string> = {};
    const attrs = ctx.values['attr'];
    for (const a of Array.isArray(attrs) ? attrs : []) {
      const s = String(a);
      const eq = s.indexOf('=');
      if (eq <= 0) throw new UsageError(`--attr takes key=value, got "${s}"`);
      attributes[s.slice(0, eq)] = s.slice(eq + 1);
    }
    const r = (await serverClient(ctx).request('POST', '/api/v1/devices', {
      controllerId: ctx.positionals[0],
      productId: product,
      attributes,
    })) as { device: Record<string, unknown>; targetToken: string };
    if (ctx.values['json']) ctx.io.out(toJson(r));
    else {
      ctx.io.out(`device ${String(r.device['controllerId'])} registered for ${product}\n`);
      ctx.io.out(`TargetToken (shown once, store it on the device): ${r.targetToken}\n`);
    }
    return EXIT.OK;
  },
};
