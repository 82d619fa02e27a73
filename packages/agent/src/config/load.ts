import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '@cairn/core';
import { applyEnvOverrides } from './env-overrides.js';
import { AgentConfigError } from './errors.js';
import { isObject } from './fields.js';
import { DEFAULT_CONFIG_PATH, MAX_CONFIG_BYTES, type AgentConfig } from './schema.js';
import { parseAgentConfig } from './validate.js';

export interface LoadAgentConfigOptions {
  /** Config file; default $CAIRN_AGENT_CONFIG, else /etc/cairn/agent.json. */
  readonly path?: string;
  /** Environment for overrides (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Read a small file with a byte cap; ENOENT and other failures become typed errors. */
export async function readCapped(path: string, maxBytes: number, what: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AgentConfigError(
      code === 'ENOENT' ? 'CONFIG_NOT_FOUND' : 'CONFIG_UNREADABLE',
      code === 'ENOENT'
        ? `${what} ${path} does not exist`
        : `${what} ${path} cannot be opened (${code ?? String(err)})`,
      { cause: err },
    );
  }
  try {
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > maxBytes) {
      throw new AgentConfigError(
        'CONFIG_TOO_LARGE',
        `${what} ${path} is larger than ${maxBytes} bytes`,
      );
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

/**
 * Load, override from the environment, and validate the agent configuration. Throws
 * AgentConfigError (missing, unreadable, not JSON) or ValidationError naming every bad
 * setting (and the environment variable that set it, when one did).
 */
export async function loadAgentConfig(opts: LoadAgentConfigOptions = {}): Promise<AgentConfig> {
  const env = opts.env ?? process.env;
  const path = resolve(opts.path ?? (env['CAIRN_AGENT_CONFIG'] || DEFAULT_CONFIG_PATH));
  const text = (await readCapped(path, MAX_CONFIG_BYTES, 'agent configuration')).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AgentConfigError(
      'CONFIG_NOT_JSON',
      `agent configuration ${path} is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (!isObject(raw)) {
    throw new AgentConfigError(
      'CONFIG_NOT_JSON',
      `agent configuration ${path} is not a JSON object`,
    );
  }
  const { config, applied } = applyEnvOverrides(raw, env);
  try {
    return parseAgentConfig(config, { baseDir: dirname(path) });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(
      `agent configuration ${path}`,
      err.issues.map((i) => {
        const from = [...applied].find(([p]) => i.path === p || i.path.startsWith(`${p}.`));
        return from ? { ...i, problem: `${i.problem} (set by ${from[1]})` } : i;
      }),
    );
  }
}
