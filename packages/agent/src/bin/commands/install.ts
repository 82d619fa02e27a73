import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InstallError } from '../../install/errors.js';
import { AGENT_EXIT, CliFileError, toJson } from '../cli-io.js';
import { HELP_FOOTER, type CliCommand } from '../command.js';
import { readFileChunks } from '../file-source.js';
import { withProgress } from '../progress.js';

/** Bundles at least this large show progress on stderr by default. */
const PROGRESS_THRESHOLD = 16 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export const installCommand: CliCommand = {
  name: 'install',
  summary: 'verify a .cairn bundle file and install it into the inactive slot (USB/SD)',
  positionals: [1, 1],
  options: {
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    progress: { type: 'boolean' },
  },
  help: `Usage: cairn-agent install [options] FILE

Runs the full install pipeline on a bundle file (e.g. /media/usb/fw-3.3.cairn): verify the
signature and chain against the device's trust anchors (and the transparency proof when
required), check vendor/class and the anti-rollback counter, stream the payload into the
inactive slot while verifying digest and size, read the slot back, arm a trial boot.
Nothing is written before the signature verifies; the active slot is never touched.
Then reboot: 'cairn-agent boot-check' commits the new image after a healthy boot.

Options:
  --json         print the result (or the rejection) as JSON on stdout
  -q, --quiet    no progress output
  --progress     show progress even for small bundles (default: bundles >= 16 MiB)

On rejection the reason code is printed (e.g. DOWNGRADE, KEY_NOT_TRUSTED,
PAYLOAD_DIGEST_MISMATCH) and recorded in the install log; exit status 1.
${HELP_FOOTER}`,
  async run(ctx) {
    const file = resolve(ctx.positionals[0]!);
    const json = ctx.values['json'] === true;
    const st = await stat(file).catch((err: unknown) => {
      throw new CliFileError(
        `cannot read bundle ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        { cause: err },
      );
    });
    if (!st.isFile()) throw new CliFileError(`bundle ${file} is not a regular file`);
    const rt = await ctx.runtime();
    const showProgress =
      ctx.values['quiet'] !== true &&
      (ctx.values['progress'] === true || st.size >= PROGRESS_THRESHOLD);
    const raw = readFileChunks(file, { chunkSize: READ_CHUNK, signal: ctx.signal });
    let source: AsyncIterable<Uint8Array> = raw;
    if (showProgress) {
      ctx.io.err(`installing ${file} (${st.size} bytes)\n`);
      source = withProgress(raw, { total: st.size, io: ctx.io });
    }
    try {
      const res = await rt.agent.install(source, { origin: `file:${file}`, signal: ctx.signal });
      const device = rt.slots.describe(res.slot);
      if (json) {
        ctx.io.out(toJson({ result: 'installed', ...res, device }));
      } else {
        ctx.io.out(
          `installed ${res.version ?? 'image'} (sequence ${res.sequenceNumber}) into slot ${res.slot} (${device})\n` +
            'reboot to try the new image; after a healthy boot, boot-check commits it\n',
        );
      }
      return AGENT_EXIT.OK;
    } catch (err) {
      if (!(err instanceof InstallError)) throw err;
      if (json) ctx.io.out(toJson({ result: 'rejected', code: err.code, message: err.message }));
      ctx.io.err(`cairn-agent install: rejected: ${err.code}: ${err.message}\n`);
      return AGENT_EXIT.FAILED;
    } finally {
      await raw.return();
    }
  },
};
