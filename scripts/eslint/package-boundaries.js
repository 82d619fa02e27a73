// ESLint rule: enforce the one-way package dependencies of docs/ARCHITECTURE.md.
// npm links every workspace package into node_modules, so `tsc` alone would accept an
// import of any @cairn/* package; this rule rejects imports the architecture forbids,
// and imports of any package the importing package.json does not declare.
import { readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, sep } from 'node:path';

/** Which @cairn packages each package may import (the brief's table). */
export const ALLOWED = {
  core: [],
  db: ['core'],
  keys: ['core'],
  pki: ['core', 'keys', 'db'],
  ledger: ['core', 'keys', 'db'],
  signer: ['core', 'keys', 'pki', 'ledger', 'db'],
  server: ['core', 'ledger', 'db'],
  agent: ['core'],
  cli: ['core', 'db', 'keys', 'pki', 'ledger', 'signer', 'server', 'agent', 'testkit'],
  console: [],
  testkit: ['core', 'db', 'keys', 'pki', 'ledger', 'signer', 'server', 'agent'],
};

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const pkgCache = new Map();

function packageOf(filename) {
  const parts = filename.split(sep);
  const i = parts.lastIndexOf('packages');
  if (i < 0 || i + 1 >= parts.length) return undefined;
  const name = parts[i + 1];
  const dir = parts.slice(0, i + 2).join(sep);
  return { name, dir };
}

function declared(dir) {
  let deps = pkgCache.get(dir);
  if (!deps) {
    const file = join(dir, 'package.json');
    const root = join(dir, '..', '..', 'package.json');
    deps = new Set();
    for (const f of [file, root]) {
      if (!existsSync(f)) continue;
      const pkg = JSON.parse(readFileSync(f, 'utf8'));
      for (const k of [
        'dependencies',
        'devDependencies',
        'peerDependencies',
        'optionalDependencies',
      ]) {
        for (const d of Object.keys(pkg[k] ?? {})) deps.add(d);
      }
    }
    pkgCache.set(dir, deps);
  }
  return deps;
}

function bareName(spec) {
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  return spec.split('/')[0];
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'enforce Cairn package dependency directions' },
    schema: [],
    messages: {
      forbidden:
        "@cairn/{{from}} may not import '{{spec}}': allowed @cairn packages are [{{allowed}}] (docs/ARCHITECTURE.md, package table)",
      undeclared:
        "'{{spec}}' is imported by @cairn/{{from}} but not declared in its package.json (or the root devDependencies)",
      deep: "import '{{spec}}' reaches into another package's files; import its public entry '@cairn/{{to}}'",
    },
  },
  create(context) {
    const pkg = packageOf(context.filename);
    if (!pkg || !(pkg.name in ALLOWED)) return {};
    const isTest = /\.test\.ts$|[\\/]test[\\/]|[\\/]bench[\\/]/.test(context.filename);
    function check(node, spec) {
      if (
        typeof spec !== 'string' ||
        spec.startsWith('.') ||
        spec.startsWith('node:') ||
        builtins.has(spec)
      )
        return;
      const name = bareName(spec);
      if (name.startsWith('@cairn/')) {
        const to = name.slice('@cairn/'.length);
        if (to === pkg.name) return;
        if (spec !== name) {
          context.report({ node, messageId: 'deep', data: { spec, to } });
          return;
        }
        const allowed = ALLOWED[pkg.name];
        // tests of any package may use the testkit
        if (!allowed.includes(to) && !(isTest && to === 'testkit')) {
          context.report({
            node,
            messageId: 'forbidden',
            data: { from: pkg.name, spec, allowed: allowed.join(', ') },
          });
          return;
        }
      }
      if (!declared(pkg.dir).has(name)) {
        context.report({ node, messageId: 'undeclared', data: { spec, from: pkg.name } });
      }
    }
    return {
      ImportDeclaration(node) {
        check(node, node.source.value);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value);
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value);
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, node.source.value);
      },
    };
  },
};
