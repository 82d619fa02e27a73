import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, type Disk } from '../disk/disk.js';
import { AgentError } from '../errors.js';
import { runTool } from '../tools/run.js';

/** A bootloader environment: string variables, updated several at a time. */
export interface EnvStore {
  readonly description: string;
  get(): Promise<Record<string, string>>;
  /** Set (string) or unset (undefined) variables in one write where the backend allows it. */
  set(vars: Readonly<Record<string, string | undefined>>): Promise<void>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
function checkVars(vars: Readonly<Record<string, string | undefined>>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (!NAME.test(k))
      throw new AgentError('BOOT_CONTROL_FAILED', `invalid environment variable name '${k}'`);
    if (v !== undefined && /[\n\r\0]/.test(v)) {
      throw new AgentError('BOOT_CONTROL_FAILED', `value of ${k} contains a newline or NUL`);
    }
  }
}

function parseLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** U-Boot environment through libubootenv's fw_printenv / fw_setenv (Debian libubootenv-tool). */
export class UBootEnvStore implements EnvStore {
  readonly description: string;
  /**
   * @param config  fw_env.config path (default: the tools' own, /etc/fw_env.config)
   * @param defaultEnv  a `name=value` file used when the stored environment is blank or
   *   fails its CRC (libubootenv's --defenv), e.g. on first boot of a fresh image
   */
  constructor(
    private readonly config?: string,
    private readonly defaultEnv?: string,
  ) {
    this.description = `U-Boot environment (fw_printenv/fw_setenv${config ? ` -c ${config}` : ''})`;
  }

  #defaults(): string[] {
    return this.defaultEnv ? ['-f', this.defaultEnv] : [];
  }

  #cfg(): string[] {
    return this.config ? ['-c', this.config] : [];
  }

  async get(): Promise<Record<string, string>> {
    const { stdout } = await runTool('fw_printenv', [...this.#cfg(), ...this.#defaults()]);
    return parseLines(stdout.toString('utf8'));
  }

  async set(vars: Readonly<Record<string, string | undefined>>): Promise<void> {
    checkVars(vars);
    // One script → one environment write (with a redundant environment, an atomic flip).
    // libubootenv's script lines are `name=value`; `name=` removes the variable.
    const script = Object.entries(vars)
      .map(([k, v]) => `${k}=${v ?? ''}\n`)
      .join('');
    const dir = await mkdtemp(join(tmpdir(), 'cairn-fwenv-'));
    try {
      const file = join(dir, 'script');
      await writeFile(file, script, { mode: 0o600 });
      await runTool('fw_setenv', [...this.#cfg(), ...this.#defaults(), '-s', file]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** GRUB environment block through grub-editenv (Debian grub-common). */
export class GrubEnvStore implements EnvStore {
  readonly description: string;
  constructor(private readonly file: string) {
    this.description = `GRUB environment ${file} (grub-editenv)`;
  }

  async get(): Promise<Record<string, string>> {
    const { stdout } = await runTool('grub-editenv', [this.file, 'list']);
    return parseLines(stdout.toString('utf8'));
  }

  async set(vars: Readonly<Record<string, string | undefined>>): Promise<void> {
    checkVars(vars);
    const set = Object.entries(vars).filter(([, v]) => v !== undefined);
    const unset = Object.entries(vars).filter(([, v]) => v === undefined);
    if (set.length)
      await runTool('grub-editenv', [this.file, 'set', ...set.map(([k, v]) => `${k}=${v!}`)]);
    if (unset.length) await runTool('grub-editenv', [this.file, 'unset', ...unset.map(([k]) => k)]);
  }
}

/** An environment kept as `name=value` lines in one atomically written file (simulated devices). */
export class FileEnvStore implements EnvStore {
  readonly description: string;
  constructor(
    private readonly disk: Disk,
    private readonly path: string,
  ) {
    this.description = `environment file ${path}`;
  }

  async get(): Promise<Record<string, string>> {
    const raw = await this.disk.read(this.path);
    return raw ? parseLines(Buffer.from(raw).toString('utf8')) : {};
  }

  async set(vars: Readonly<Record<string, string | undefined>>): Promise<void> {
    checkVars(vars);
    const env = new Map(Object.entries(await this.get()));
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) env.delete(k);
      else env.set(k, v);
    }
    const text = [...env].map(([k, v]) => `${k}=${v}\n`).join('');
    await writeFileAtomic(this.disk, this.path, Buffer.from(text));
  }
}
