import assert from 'node:assert/strict';
import { forEachDatabase } from '@cairn/testkit';
import { createWorker, harness, release } from '../helpers/stack.js';

forEachDatabase(
  'ops endpoints: /openapi.json lists every API route with its schema, /metrics counts, /healthz, /readyz',
  async (db) => {
    const h = await harness(db);
    try {
      await createWorker(h, 'fw');
      const ci = await h.token([{ role: 'signer', worker: 'fw' }]);
      assert.equal((await h.call('POST', '/api/v1/workers/fw/sign', ci, release(1))).status, 200);
      assert.equal((await h.call('POST', '/api/v1/workers/fw/sign', ci, release(1))).status, 409);

      const doc = (await h.call('GET', '/openapi.json')).json as {
        openapi: string;
        paths: Record<
          string,
          Record<
            string,
            { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } }
          >
        >;
      };
      assert.equal(doc.openapi, '3.1.0');
      for (const p of [
        '/api/v1/workers',
        '/api/v1/workers/{name}/sign',
        '/api/v1/workers/{name}/sign-digest',
        '/api/v1/requests/{id}/approve',
        '/api/v1/tokens',
        '/api/v1/log/proof/inclusion',
        '/api/v1/log/proof/consistency',
        '/api/v1/audit/checkpoint/export',
      ])
        assert.ok(doc.paths[p], `${p} missing from the OpenAPI document`);
      const signBody =
        doc.paths['/api/v1/workers/{name}/sign']!['post']!.requestBody!.content['application/json']!
          .schema;
      assert.deepEqual(signBody.required, [
        'vendorId',
        'classId',
        'version',
        'sequence',
        'components',
      ]);

      const metrics = (await h.call('GET', '/metrics')).text;
      assert.match(metrics, /^cairn_signer_signatures_total\{worker="fw",format="suit"\} 1$/m);
      assert.match(metrics, /^cairn_signer_denials_total\{reason="SEQUENCE_NOT_INCREASING"\} 1$/m);
      assert.match(
        metrics,
        /^cairn_signer_request_duration_seconds_count\{route="\/api\/v1\/workers\/:name\/sign"\} 2$/m,
      );
      assert.equal((await h.call('GET', '/healthz')).status, 200);
      assert.equal((await h.call('GET', '/readyz')).json['status'], 'ready');
      // unknown API paths are answered 404 and audited too
      const before = (await h.stack.ledger.audit.head()).size;
      assert.equal((await h.call('GET', '/api/v1/nope', ci)).status, 404);
      assert.equal((await h.stack.ledger.audit.head()).size, before + 1);
    } finally {
      await h.close();
    }
  },
);
