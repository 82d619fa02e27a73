import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { EXIT, UsageError, toJson, type Command } from '../command.js';
import { SERVER_HELP, SERVER_OPTIONS, serverClient } from './server-client.js';

/** `cairn release upload`: stream a signed .cairn bundle to the server, which verifies it. */
export const releaseUploadCommand: Command = {
  path: ['release', 'upload'],
  summary: 'upload a signed .cairn bundle as a release of a product',
  help: `Usage: cairn release upload FILE --product ID [--version V] [--json] [server options]

Streams FILE to the server. The server verifies the signature against the product's trust
anchors, the vendor/class IDs, the payload digests, and that the sequence number is above
every earlier release; anything else is refused (and audited).

${SERVER_HELP}

Exit codes: 0 accepted · 1 refused by the server · 2 usage · 3 file or server unavailable`,
  options: { product: { type: 'string' }, version: { type: 'string' }, ...SERVER_OPTIONS },
  positionals: [1, 1],
  async run(ctx) {
    const file = ctx.positionals[0] ?? '';
    const product = ctx.values['product'];
    if (typeof product !== 'string') throw new UsageError('--product ID is required');
    let size: number;
    try {
      size = statSync(file).size;
    } catch (err) {
      ctx.io.err(`cairn release upload: cannot read ${file}: ${(err as Error).message}\n`);
      return EXIT.ENVIRONMENT;
    }
    const client = serverClient(ctx);
    const version = ctx.values['version'];
    const q = typeof version === 'string' ? `?version=${encodeURIComponent(version)}` : '';
    const body = Readable.toWeb(createReadStream(file)) as unknown as NonNullable<
      RequestInit['body']
    >;
    const r = (await client.request(
      'POST',
      `/api/v1/products/${encodeURIComponent(product)}/releases${q}`,
      body,
      'application/octet-stream',
    )) as Record<string, unknown>;
    if (ctx.values['json']) ctx.io.out(toJson(r));
    else
      ctx.io.out(
        `release ${String(r['id'])} of ${product}: sequence ${String(r['sequenceNumber'])}, version ${String(r['version'])}, ${size} bytes, sha256 ${String(r['bundleSha256'])}\n`,
      );
    return EXIT.OK;
  },
};
