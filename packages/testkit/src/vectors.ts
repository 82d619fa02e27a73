import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding the root package.json with workspaces). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && readFileSync(pkg, 'utf8').includes('"workspaces"')) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repoRoot: no package.json with workspaces above ' + dir);
    dir = up;
  }
}

/**
 * The shared test vectors: `$CAIRN_VECTORS`, else `../shared/vectors` beside the
 * repository (how the workplace and CI lay it out).
 */
export function vectorsDir(): string {
  const env = process.env['CAIRN_VECTORS'];
  const dir = env ? resolve(env) : resolve(repoRoot(), '..', 'shared', 'vectors');
  if (!existsSync(dir)) {
    throw new Error(
      `test vectors not found at ${dir}: set CAIRN_VECTORS to the shared/vectors folder`,
    );
  }
  return dir;
}

/** Path of a file or folder inside the vectors folder. */
export function vectorPath(...parts: string[]): string {
  return join(vectorsDir(), ...parts);
}

/** All files below a vectors sub-folder, sorted, with paths relative to it. */
export function listVectorFiles(sub: string): string[] {
  const base = vectorPath(sub);
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(full).isDirectory()) walk(full, r);
      else out.push(r);
    }
  };
  walk(base, '');
  return out;
}
