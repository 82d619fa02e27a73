import assert from 'node:assert/strict';
import type { Harness } from '../helpers/stack.js';
import { createWorker, harness, release } from '../helpers/stack.js';
import { forEachDatabase } from '@cairn/testkit';

type Who = 'admin' | 'release-manager' | 'signer' | 'auditor' | 'signer-other';
const EVERYONE: Who[] = ['admin', 'release-manager', 'signer', 'auditor', 'signer-other'];

interface Endpoint {
  readonly name: string;
  readonly allowed: readonly Who[];
  /** Makes the call; `prep` runs first (fresh request ids, throwaway tokens). */
  call(h: Harness, token: string | undefined): Promise<{ status: number; text: string }>;
}

let digestCounter = 0;

async function pendingRequest(h: Harness, signer: string): Promise<string> {
  const r = await h.call('POST', '/api/v1/workers/gated/sign', signer, release('auto'));
  assert.equal(r.status, 202, r.text);
  return r.json['requestId'] as string;
}

function endpoints(signerToken: string): Endpoint[] {
  const ALL_ROLES: Who[] = ['admin', 'release-manager', 'signer', 'auditor'];
  const AUDIT: Who[] = ['admin', 'auditor'];
  return [
    {
      name: 'POST /workers',
      allowed: ['admin'],
      call: (h, t) =>
        h.call('POST', '/api/v1/workers', t, {
          name: `w${++digestCounter}`,
          keyLabel: 'fw-key',
          products: [
            {
              vendorId: '00000000-0000-5000-8000-000000000000',
              classId: '00000000-0000-5000-8000-000000000001',
            },
          ],
          formats: ['suit'],
        }),
    },
    {
      name: 'GET /workers',
      allowed: EVERYONE,
      call: (h, t) => h.call('GET', '/api/v1/workers', t),
    },
    {
      name: 'GET /workers/fw',
      allowed: ALL_ROLES,
      call: (h, t) => h.call('GET', '/api/v1/workers/fw', t),
    },
    {
      name: 'POST /workers/fw/sign',
      allowed: ['signer'],
      call: (h, t) => h.call('POST', '/api/v1/workers/fw/sign', t, release('auto')),
    },
    {
      name: 'POST /workers/digest/sign-digest',
      allowed: ['signer'],
      call: (h, t) =>
        h.call('POST', '/api/v1/workers/digest/sign-digest', t, {
          digest: (++digestCounter).toString(16).padStart(64, '0'),
        }),
    },
    {
      name: 'GET /requests',
      allowed: ['admin', 'release-manager', 'auditor'],
      call: (h, t) => h.call('GET', '/api/v1/requests', t),
    },
    {
      name: 'GET /requests/:id',
      allowed: ALL_ROLES,
      call: async (h, t) =>
        h.call('GET', `/api/v1/requests/${await pendingRequest(h, signerToken)}`, t),
    },
    {
      name: 'POST /requests/:id/approve',
      allowed: ['release-manager'],
      call: async (h, t) =>
        h.call('POST', `/api/v1/requests/${await pendingRequest(h, signerToken)}/approve`, t, {}),
    },
    {
      name: 'POST /requests/:id/deny',
      allowed: ['release-manager'],
      call: async (h, t) =>
        h.call('POST', `/api/v1/requests/${await pendingRequest(h, signerToken)}/deny`, t, {
          comment: 'no',
        }),
    },
    {
      name: 'POST /tokens',
      allowed: ['admin'],
      call: (h, t) =>
        h.call('POST', '/api/v1/tokens', t, {
          name: 'x',
          grants: [{ role: 'auditor', worker: '*' }],
          ttlSeconds: 60,
        }),
    },
    { name: 'GET /tokens', allowed: ['admin'], call: (h, t) => h.call('GET', '/api/v1/tokens', t) },
    {
      name: 'DELETE /tokens/:id',
      allowed: ['admin'],
      call: async (h, t) => {
        const x = await h.stack.service.tokens.create(
          { name: 'victim', grants: [{ role: 'auditor', worker: '*' }], ttlSeconds: 60 },
          'test',
        );
        return h.call('DELETE', `/api/v1/tokens/${x.info.id}`, t);
      },
    },
    {
      name: 'POST /principals/certificates',
      allowed: ['admin'],
      call: (h, t) =>
        h.call('POST', '/api/v1/principals/certificates', t, {
          serial: '0a1b',
          principal: 'ci-runner',
          grants: [{ role: 'signer', worker: 'fw' }],
        }),
    },
    {
      name: 'GET /log/checkpoint',
      allowed: AUDIT,
      call: (h, t) => h.call('GET', '/api/v1/log/checkpoint', t),
    },
    {
      name: 'GET /log/proof/inclusion',
      allowed: AUDIT,
      call: (h, t) => h.call('GET', '/api/v1/log/proof/inclusion?index=0', t),
    },
    {
      name: 'GET /log/proof/consistency',
      allowed: AUDIT,
      call: (h, t) => h.call('GET', '/api/v1/log/proof/consistency?first=1', t),
    },
    {
      name: 'GET /log/entries',
      allowed: AUDIT,
      call: (h, t) => h.call('GET', '/api/v1/log/entries?start=0&end=1', t),
    },
    {
      name: 'GET /log/tlog-proof/0',
      allowed: AUDIT,
      call: (h, t) => h.call('GET', '/api/v1/log/tlog-proof/0', t),
    },
    {
      name: 'GET /audit/checkpoint',
      allowed: AUDIT,
      call: (h, t) => h.call('GET', '/api/v1/audit/checkpoint', t),
    },
    {
      name: 'POST /audit/checkpoint/export',
      allowed: AUDIT,
      call: (h, t) => h.call('POST', '/api/v1/audit/checkpoint/export', t),
    },
    {
      name: 'GET /audit/records',
      allowed: AUDIT,
      call: (h, t) => h.call('GET', '/api/v1/audit/records?start=0&end=1', t),
    },
  ];
}

forEachDatabase(
  'authorization matrix: every endpoint x role, plus unauthenticated/expired/revoked/malformed, all audited',
  async (db) => {
    let offset = 0;
    const h = await harness(db, { clock: () => new Date(Date.now() + offset) });
    try {
      await createWorker(h, 'fw');
      await createWorker(h, 'digest', {}, ['raw-digest']);
      await createWorker(h, 'gated', { approvals: 1 });
      const tokens: Record<Who, string> = {
        admin: h.admin,
        'release-manager': await h.token([{ role: 'release-manager', worker: '*' }], 'rm'),
        signer: await h.token(
          [
            { role: 'signer', worker: 'fw' },
            { role: 'signer', worker: 'digest' },
            { role: 'signer', worker: 'gated' },
          ],
          'ci',
        ),
        auditor: await h.token([{ role: 'auditor', worker: '*' }], 'auditor'),
        'signer-other': await h.token([{ role: 'signer', worker: 'other' }], 'ci-other'),
      };
      // one signature so the log endpoints have an entry
      assert.equal(
        (await h.call('POST', '/api/v1/workers/fw/sign', tokens.signer, release('auto'))).status,
        200,
      );
      const expiring = await h.token([{ role: 'admin', worker: '*' }], 'short', 1);
      const revoked = await h.token([{ role: 'admin', worker: '*' }], 'revoked');
      const revokedId = /^cairn_([0-9a-f]{16})_/.exec(revoked)![1]!;
      assert.equal((await h.call('DELETE', `/api/v1/tokens/${revokedId}`, h.admin)).status, 200);

      const bad: Record<string, string | undefined> = {
        unauthenticated: undefined,
        expired: expiring,
        revoked,
        malformed: 'cairn_nonsense',
        unknown: `cairn_${'0'.repeat(16)}_${'A'.repeat(43)}`,
      };
      let checked = 0;
      for (const ep of endpoints(tokens.signer)) {
        for (const who of EVERYONE) {
          const before = (await h.stack.ledger.audit.head()).size;
          const res = await ep.call(h, tokens[who]);
          const after = await h.stack.ledger.audit.records(
            before,
            (await h.stack.ledger.audit.head()).size,
          );
          const mine = after.filter(
            (r) =>
              r.actor.includes(
                `:${who === 'admin' ? 'admin' : { 'release-manager': 'rm', signer: 'ci', auditor: 'auditor', 'signer-other': 'ci-other' }[who]}`,
              ) && r.actor.startsWith('token:'),
          );
          const last = mine.at(-1);
          assert.ok(last, `${ep.name} as ${who}: no audit record`);
          if (ep.allowed.includes(who)) {
            assert.ok(
              res.status < 400,
              `${ep.name} as ${who}: expected success, got ${res.status} ${res.text}`,
            );
            assert.equal(last.decision, 'allowed');
          } else {
            assert.equal(
              res.status,
              403,
              `${ep.name} as ${who}: expected 403, got ${res.status} ${res.text}`,
            );
            assert.equal(last.decision, 'denied');
            assert.match(last.reason ?? '', /FORBIDDEN|FORMAT_NOT_ALLOWED/);
          }
          checked++;
        }
        offset = 2000; // the 1-second token has expired from here on
        for (const [kind, token] of Object.entries(bad)) {
          const before = (await h.stack.ledger.audit.head()).size;
          const res = await ep.call(h, token);
          assert.equal(
            res.status,
            401,
            `${ep.name} ${kind}: expected 401, got ${res.status} ${res.text}`,
          );
          const recs = await h.stack.ledger.audit.records(
            before,
            (await h.stack.ledger.audit.head()).size,
          );
          const rec = recs.find(
            (r) =>
              r.decision === 'denied' &&
              r.actor === 'anonymous' &&
              (r.reason ?? '').startsWith('UNAUTHENTICATED'),
          );
          assert.ok(rec, `${ep.name} ${kind}: the 401 was not audited`);
          checked++;
        }
      }
      assert.equal(checked, endpoints('').length * (EVERYONE.length + Object.keys(bad).length));
    } finally {
      await h.close();
    }
  },
);
