import { spawn } from 'node:child_process';
import type { HealthCheckConfig } from './schema.js';

export interface HealthCheckOutcome {
  readonly healthy: boolean;
  /** Why it failed: exit status, signal, timeout, or the command could not start. */
  readonly reason?: string;
}

/**
 * Run the configured health check for a trial slot: healthy when it exits 0 within its
 * timeout. `CAIRN_SLOT` carries the slot name. Its output goes to the agent's stderr.
 * A command that cannot start counts as unhealthy (the trial image is not committed).
 */
export function runHealthCheck(cfg: HealthCheckConfig, slot: string): Promise<HealthCheckOutcome> {
  return new Promise((resolve) => {
    const child = spawn(cfg.command, [...cfg.args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CAIRN_SLOT: slot },
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ healthy: false, reason: `timed out after ${cfg.timeoutSeconds} s` });
    }, cfg.timeoutSeconds * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ healthy: false, reason: `cannot run ${cfg.command}: ${err.message}` });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(
        code === 0
          ? { healthy: true }
          : {
              healthy: false,
              reason: signal ? `killed by ${signal}` : `exit status ${code ?? '?'}`,
            },
      );
    });
  });
}
