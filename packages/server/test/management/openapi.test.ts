import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApiReference, ROUTE_CONTRACTS } from '@cairn/server';
import type { OpenApiDocument } from '@cairn/server';
import { forEachServer, startServer } from '../helpers/server.js';

/** docs/api/server.md at the repository root (this file runs from packages/server/dist/test/management). */
const REFERENCE = fileURLToPath(new URL('../../../../../docs/api/server.md', import.meta.url));

forEachServer(
  'OpenAPI: valid 3.1 JSON with every route, and docs/api/server.md is current',
  async (_db, t, config) => {
    const s = await startServer(t, config);
    const res = await fetch(`${s.url}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = JSON.parse(await res.text()) as OpenApiDocument;
    assert.equal(doc.openapi, '3.1.0');
    const ops = new Set<string>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(methods)) {
        ops.add(`${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
        // Every route served under /api/ has a permission (none is left to the default deny).
        assert.notEqual(op['x-permission'], null, `${m} ${path} has a contract`);
        assert.ok(op['responses'] !== undefined && op['summary'] !== undefined);
      }
    }
    assert.deepEqual([...ops].sort(), Object.keys(ROUTE_CONTRACTS).sort());
    assert.equal(
      readFileSync(REFERENCE, 'utf8'),
      renderApiReference(doc),
      'docs/api/server.md is stale: run `node packages/server/scripts/api-reference.mjs`',
    );
  },
);
