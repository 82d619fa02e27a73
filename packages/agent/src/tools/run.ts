import { execFile } from 'node:child_process';
import { AgentError } from '../errors.js';

export interface RunResult {
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Run a system tool without a shell; a missing tool or non-zero exit is a typed error. */
export function runTool(
  cmd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; input?: Uint8Array; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      [...args],
      {
        env: opts.env ?? process.env,
        encoding: 'buffer',
        timeout: opts.timeoutMs ?? 30_000,
        maxBuffer: 1 << 20,
      },
      (err, stdout, stderr) => {
        const errText = stderr.toString('utf8').trim();
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') {
            reject(
              new AgentError(
                'TOOL_MISSING',
                `${cmd} is not installed (install its Debian package; see scripts/install-system-deps.sh)`,
              ),
            );
            return;
          }
          reject(
            new AgentError(
              'TOOL_FAILED',
              `${cmd} ${args.join(' ')} failed: ${errText || err.message}`,
              {
                cause: err,
              },
            ),
          );
          return;
        }
        resolve({ stdout, stderr: errText });
      },
    );
    if (opts.input) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}
