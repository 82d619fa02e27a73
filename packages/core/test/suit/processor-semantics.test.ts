import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildEnvelope,
  buildManifest,
  processEnvelope,
  runSequence,
  suitCommand as cmd,
  SuitProcessError,
  type SuitCommand,
} from '@cairn/core';
import { assertRejectsCode, MemorySuitPlatform } from '@cairn/testkit';
import { CLASS, VENDOR } from './helpers.js';

const A = Uint8Array.of(0xa);
const B = Uint8Array.of(0xb);

function manifestWith(validate: SuitCommand[], components = 2) {
  return buildManifest({
    sequenceNumber: 1,
    components: [...Array(components).keys()].map((i) => [Uint8Array.of(i)]),
    sharedSequence: [
      cmd.setComponentIndex(true),
      cmd.overrideParameters({ vendorId: { uuid: VENDOR }, classId: CLASS }),
      cmd.condition('vendor-identifier'),
      cmd.condition('class-identifier'),
    ],
    validate,
  }).manifest;
}

const platform = (components: [number, Uint8Array][] = []) =>
  new MemorySuitPlatform({
    identity: { vendorIds: [VENDOR], classIds: [CLASS] },
    components: new Map(components),
  });

test('component index true applies write and check-content to every component', async () => {
  const pf = platform();
  await runSequence(
    manifestWith([
      cmd.setComponentIndex(true),
      cmd.overrideParameters({ content: A }),
      cmd.action('write'),
      cmd.condition('check-content'),
    ]),
    'validate',
    pf,
  );
  assert.deepEqual(pf.components.get(0), A);
  assert.deepEqual(pf.components.get(1), A);
});

test('component index lists select components; check-content failure names the component', async () => {
  const pf = platform([[1, B]]);
  const err = await assertRejectsCode(
    () =>
      runSequence(
        manifestWith([
          cmd.setComponentIndex([0, 1]),
          cmd.overrideParameters({ content: B }),
          cmd.condition('check-content'),
        ]),
        'validate',
        pf,
      ),
    'CONDITION_FAILED_CONTENT',
  );
  assert.ok(err instanceof SuitProcessError);
  assert.equal(err.componentIndex, 0);
  assert.equal(err.commandIndex, 2);
});

test('set-parameters keeps a value that is already set; override-parameters replaces it', async () => {
  const pf = platform();
  await runSequence(
    manifestWith([
      cmd.setComponentIndex(0),
      cmd.overrideParameters({ content: A }),
      cmd.setParameters({ content: B }),
      cmd.action('write'),
      cmd.overrideParameters({ content: B }),
      cmd.setComponentIndex(1),
      cmd.setParameters({ content: B }),
      cmd.action('write'),
    ]),
    'validate',
    pf,
  );
  assert.deepEqual(pf.components.get(0), A);
  assert.deepEqual(pf.components.get(1), B);
});

test('run-sequence: a condition failure is fatal by default, absorbed with soft-failure', async () => {
  const pf = platform();
  const hard = manifestWith([
    cmd.setComponentIndex(0),
    cmd.runSequence([cmd.condition('abort')]),
    cmd.action('invoke'),
  ]);
  const err = await assertRejectsCode(() => runSequence(hard, 'validate', pf), 'ABORTED');
  assert.ok(err instanceof SuitProcessError);
  assert.deepEqual(err.commandPath, [1, 0, 0]);
  const soft = manifestWith([
    cmd.setComponentIndex(0),
    cmd.runSequence([cmd.overrideParameters({ softFailure: true }), cmd.condition('abort')]),
    cmd.action('invoke'),
  ]);
  await runSequence(soft, 'validate', pf);
  assert.deepEqual(pf.invocations, [{ component: 0, args: undefined }]);
});

test('try-each: a failing alternative leaves no parameters behind; nil makes it optional', async () => {
  const pf = platform([[0, A]]);
  await runSequence(
    manifestWith([
      cmd.setComponentIndex(0),
      cmd.tryEach([[cmd.overrideParameters({ content: B }), cmd.condition('abort')], null]),
      cmd.overrideParameters({ content: A }),
      cmd.condition('check-content'),
    ]),
    'validate',
    pf,
  );
  const pf2 = platform();
  await assertRejectsCode(
    () =>
      runSequence(
        manifestWith([
          cmd.setComponentIndex(0),
          cmd.tryEach([[cmd.overrideParameters({ content: B }), cmd.condition('abort')], null]),
          cmd.action('write'),
        ]),
        'validate',
        pf2,
      ),
    'PARAMETER_MISSING',
  );
});

test('try-each with soft-failure false inside an alternative fails with that condition', async () => {
  await assertRejectsCode(
    () =>
      runSequence(
        manifestWith([
          cmd.setComponentIndex(0),
          cmd.tryEach([
            [cmd.overrideParameters({ softFailure: false }), cmd.condition('abort')],
            null,
          ]),
        ]),
        'validate',
        platform(),
      ),
    'ABORTED',
  );
});

test('swap exchanges source and destination', async () => {
  const pf = platform([
    [0, A],
    [1, B],
  ]);
  await runSequence(
    manifestWith([
      cmd.setComponentIndex(0),
      cmd.overrideParameters({ sourceComponent: 1 }),
      cmd.action('swap'),
    ]),
    'validate',
    pf,
  );
  assert.deepEqual(pf.components.get(0), B);
  assert.deepEqual(pf.components.get(1), A);
});

test('typed failures: parameter missing, index out of range, unsupported commands, missing source', async () => {
  const cases: [SuitCommand[], string][] = [
    [[cmd.setComponentIndex(0), cmd.condition('image-match')], 'PARAMETER_MISSING'],
    [[cmd.setComponentIndex(0), cmd.condition('component-slot')], 'PARAMETER_MISSING'],
    [[cmd.setComponentIndex(5)], 'COMPONENT_INDEX_INVALID'],
    [
      [
        cmd.setComponentIndex(0),
        cmd.overrideParameters({ sourceComponent: 9 }),
        cmd.action('copy'),
      ],
      'COMPONENT_INDEX_INVALID',
    ],
    [[cmd.setComponentIndex(0), cmd.action('unlink')], 'UNSUPPORTED_COMMAND'],
    [[cmd.setComponentIndex(0), cmd.condition('minimum-battery')], 'UNSUPPORTED_COMMAND'],
    [
      [cmd.setComponentIndex(0), { kind: 'custom', name: 'custom', code: -5, argument: null }],
      'UNSUPPORTED_COMMAND',
    ],
    [
      [cmd.setComponentIndex(0), cmd.overrideParameters({ uri: '#nothing' }), cmd.action('fetch')],
      'PAYLOAD_NOT_FOUND',
    ],
    [
      [
        cmd.setComponentIndex(0),
        cmd.overrideParameters({ sourceComponent: 1 }),
        cmd.action('copy'),
      ],
      'PLATFORM_FAILED',
    ],
  ];
  for (const [commands, code] of cases) {
    const err = await assertRejectsCode(
      () => runSequence(manifestWith(commands), 'validate', platform()),
      code,
    );
    assert.ok(err instanceof SuitProcessError);
    assert.equal(err.commandIndex, commands.length - 1, `${code} at the last command`);
    assert.equal(err.section, 'validate');
  }
});

test('an absent sequence is SEQUENCE_MISSING for runSequence and skipped by processEnvelope', async () => {
  const m = manifestWith([cmd.setComponentIndex(0), cmd.condition('vendor-identifier')]);
  await assertRejectsCode(() => runSequence(m, 'install', platform()), 'SEQUENCE_MISSING');
  const r = await processEnvelope(buildEnvelope({ manifest: m }), platform());
  assert.deepEqual(r.ran, ['validate']);
});

test('maxSteps bounds the work a manifest can cause', async () => {
  const m = manifestWith(
    [
      cmd.setComponentIndex(true),
      cmd.condition('vendor-identifier'),
      cmd.condition('class-identifier'),
    ],
    8,
  );
  await assertRejectsCode(
    () => runSequence(m, 'validate', platform(), { maxSteps: 5 }),
    'LIMIT_EXCEEDED',
  );
  await runSequence(m, 'validate', platform(), { maxSteps: 100 });
});
