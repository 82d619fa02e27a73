import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

const INSTALL_HINT = 'scripts/install-system-deps.sh';

/** True when CI=true: missing tools then fail the test instead of skipping it. */
export const inCI = process.env['CI'] === 'true';

const cache = new Map<string, boolean>();

/** Whether an executable is on PATH (cached). */
export function hasTool(tool: string): boolean {
  let found = cache.get(tool);
  if (found === undefined) {
    const r = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', tool], { encoding: 'utf8' });
    found = r.status === 0 && r.stdout.trim() !== '';
    cache.set(tool, found);
  }
  return found;
}

/**
 * Gate a test on system tools. Returns true when all are present. When one is
 * missing it skips the test with a message naming the tool and the install script,
 * or, under CI=true, throws so the test fails: CI must never silently skip.
 *
 *   if (!requireTools(t, ['softhsm2-util', 'pkcs11-tool'])) return;
 */
export function requireTools(t: TestContext, tools: readonly string[], why = ''): boolean {
  const missing = tools.filter((tool) => !hasTool(tool));
  if (missing.length === 0) return true;
  const msg = `needs ${missing.join(', ')}${why ? ` (${why})` : ''}: install with ${INSTALL_HINT}`;
  if (inCI) throw new Error(`CI=true and a required system tool is missing: ${msg}`);
  t.skip(msg);
  return false;
}

/** Same gate for a condition that is not a tool on PATH (a running service, a file). */
export function requireCondition(t: TestContext, ok: boolean, what: string): boolean {
  if (ok) return true;
  const msg = `needs ${what}: install with ${INSTALL_HINT}`;
  if (inCI) throw new Error(`CI=true and a requirement is missing: ${msg}`);
  t.skip(msg);
  return false;
}
