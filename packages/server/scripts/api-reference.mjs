#!/usr/bin/env node
// Writes docs/api/server.md (the management API reference) from the server's OpenAPI
// document. Run after a build: `npx tsc -b packages/server && node packages/server/scripts/api-reference.mjs`.
// A test (packages/server/test/management/openapi.test.ts) fails when the file is stale.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer, renderApiReference } from '../dist/index.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'cairn-api-ref-'));
try {
  const server = await createServer({ dataDir, port: 0, adminToken: 'api-reference-generator' });
  try {
    const res = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    const out = join(root, 'docs/api/server.md');
    writeFileSync(out, renderApiReference(res.json()));
    console.log(`wrote ${out}`);
  } finally {
    await server.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
