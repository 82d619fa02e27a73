import {
  coseHeaders,
  decodeCoseSign1,
  formatUuid,
  isCairnError,
  type Severable,
  type SuitCommand,
  type SuitCommandSequence,
  type SuitEnvelope,
  type SuitParameters,
} from '@cairn/core';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const id = (b: Uint8Array): string => (b.length === 16 ? formatUuid(b) : hex(b));

/** Parameters as a plain object with readable values (UUIDs, digests as alg:hex). */
export function describeParameters(p: SuitParameters): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.vendorId)
    out['vendor-id'] = 'uuid' in p.vendorId ? id(p.vendorId.uuid) : `pen:${hex(p.vendorId.pen)}`;
  if (p.classId) out['class-id'] = id(p.classId);
  if (p.deviceId) out['device-id'] = id(p.deviceId);
  if (p.imageDigest) out['image-digest'] = `${p.imageDigest.algorithm}:${hex(p.imageDigest.value)}`;
  if (p.imageSize !== undefined) out['image-size'] = p.imageSize;
  if (p.componentSlot !== undefined) out['component-slot'] = p.componentSlot;
  if (p.uri !== undefined) out['uri'] = p.uri;
  if (p.sourceComponent !== undefined) out['source-component'] = p.sourceComponent;
  if (p.content) out['content'] = hex(p.content);
  if (p.invokeArgs) out['invoke-args'] = hex(p.invokeArgs);
  if (p.fetchArgs) out['fetch-args'] = hex(p.fetchArgs);
  if (p.strictOrder !== undefined) out['strict-order'] = p.strictOrder;
  if (p.softFailure !== undefined) out['soft-failure'] = p.softFailure;
  for (const [k, v] of p.other ?? [])
    out[`parameter ${k}`] =
      v instanceof Uint8Array
        ? hex(v)
        : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return out;
}

/** A command as JSON-friendly data. */
export function describeCommand(c: SuitCommand): Record<string, unknown> {
  switch (c.name) {
    case 'set-component-index':
      return { command: c.name, index: c.index };
    case 'override-parameters':
    case 'set-parameters':
      return { command: c.name, parameters: describeParameters(c.parameters) };
    case 'try-each':
      return {
        command: c.name,
        alternatives: c.sequences.map((s) => (s === null ? null : describeSequence(s))),
      };
    case 'run-sequence':
      return { command: c.name, sequence: describeSequence(c.sequence) };
    case 'custom':
      return { command: `custom ${c.code}` };
    default:
      return { command: c.kind === 'condition' ? `condition ${c.name}` : c.name, policy: c.policy };
  }
}

export function describeSequence(s: SuitCommandSequence): Record<string, unknown>[] {
  return s.commands.map(describeCommand);
}

function severable<T>(s: Severable<T> | undefined, f: (v: T) => unknown): unknown {
  if (s === undefined) return undefined;
  if (!s.severed) return f(s.value);
  return {
    severed: `${s.digest.algorithm}:${hex(s.digest.value)}`,
    present: s.value !== undefined,
    ...(s.value === undefined ? {} : { value: f(s.value) }),
  };
}

/** Everything `cairn suit decode` shows, as data (the --json output). */
export function describeEnvelope(env: SuitEnvelope, size: number): Record<string, unknown> {
  const m = env.manifest;
  const text = (t: NonNullable<typeof m.text>['value']) =>
    t === undefined
      ? undefined
      : Object.fromEntries(
          [...t.languages].map(([lang, l]) => [
            lang,
            {
              ...Object.fromEntries(l.fields),
              components: l.components.map((c) => ({
                component: c.component.map(hex),
                ...Object.fromEntries(c.fields),
              })),
            },
          ]),
        );
  return {
    size,
    manifestDigest: `${env.authentication.digest.algorithm}:${hex(env.authentication.digest.value)}`,
    manifestVersion: m.version,
    sequenceNumber: m.sequenceNumber,
    ...(m.referenceUri === undefined ? {} : { referenceUri: m.referenceUri }),
    components: m.common.components.map((c) => c.map(hex)),
    sequences: {
      ...(m.common.sharedSequence ? { shared: describeSequence(m.common.sharedSequence) } : {}),
      dependencyResolution: severable(m.dependencyResolution, describeSequence),
      payloadFetch: severable(m.payloadFetch, describeSequence),
      install: severable(m.install, describeSequence),
      validate: m.validate && describeSequence(m.validate),
      load: m.load && describeSequence(m.load),
      invoke: m.invoke && describeSequence(m.invoke),
    },
    ...(m.text === undefined ? {} : { text: severable(m.text, text) }),
    signatures: env.authentication.blocks.map((b) => {
      try {
        const h = coseHeaders(decodeCoseSign1(b));
        return {
          alg: h.alg,
          ...(h.kid === undefined ? {} : { kid: hex(h.kid) }),
          ...(h.x5chain === undefined ? {} : { x5chainCerts: h.x5chain.length }),
        };
      } catch (err) {
        return { unreadable: isCairnError(err) ? err.code : 'ERROR' };
      }
    }),
    integratedPayloads: Object.fromEntries([...env.integrated].map(([k, v]) => [k, v.length])),
  };
}

function line(indent: string, c: Record<string, unknown>, out: string[]): void {
  const { command, ...rest } = c;
  if (Array.isArray(rest['alternatives'])) {
    out.push(`${indent}${String(command)}`);
    (rest['alternatives'] as (Record<string, unknown>[] | null)[]).forEach((alt, i) => {
      out.push(`${indent}  alternative ${i}:${alt === null ? ' (nil)' : ''}`);
      for (const x of alt ?? []) line(`${indent}    `, x, out);
    });
    return;
  }
  if (Array.isArray(rest['sequence'])) {
    out.push(`${indent}${String(command)}`);
    for (const x of rest['sequence'] as Record<string, unknown>[]) line(`${indent}  `, x, out);
    return;
  }
  const params = rest['parameters'] as Record<string, unknown> | undefined;
  const args = params
    ? Object.entries(params)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')
    : rest['index'] !== undefined
      ? JSON.stringify(rest['index'])
      : '';
  out.push(`${indent}${String(command)}${args ? ' ' + args : ''}`);
}

/** Human-readable rendering of describeEnvelope's data. */
export function renderEnvelope(d: Record<string, unknown>): string {
  const out: string[] = [];
  out.push(`SUIT envelope, ${String(d['size'])} bytes`);
  out.push(
    `manifest version ${String(d['manifestVersion'])}, sequence number ${String(d['sequenceNumber'])}`,
  );
  out.push(`manifest digest ${String(d['manifestDigest'])}`);
  if (typeof d['referenceUri'] === 'string') out.push(`reference URI ${d['referenceUri']}`);
  out.push('components:');
  (d['components'] as string[][]).forEach((c, i) => out.push(`  [${i}] ${JSON.stringify(c)}`));
  for (const [name, seq] of Object.entries(d['sequences'] as Record<string, unknown>)) {
    if (seq === undefined) continue;
    if (Array.isArray(seq)) {
      out.push(`${name}:`);
      for (const c of seq as Record<string, unknown>[]) line('  ', c, out);
    } else {
      const s = seq as { severed: string; present: boolean; value?: Record<string, unknown>[] };
      out.push(
        `${name}: severed (${s.severed}), ${s.present ? 'present' : 'not in this envelope'}`,
      );
      for (const c of s.value ?? []) line('  ', c, out);
    }
  }
  if (d['text'] !== undefined)
    out.push(`text: ${JSON.stringify(d['text'], null, 2).replace(/\n/g, '\n  ')}`);
  const sigs = d['signatures'] as Record<string, unknown>[];
  out.push(`signatures: ${sigs.length}`);
  sigs.forEach((s, i) =>
    out.push(
      `  [${i}] ${Object.entries(s)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ')}`,
    ),
  );
  const integrated = Object.entries(d['integratedPayloads'] as Record<string, number>);
  if (integrated.length > 0) {
    out.push('integrated payloads:');
    for (const [k, n] of integrated) out.push(`  ${k}: ${n} bytes`);
  }
  return out.join('\n') + '\n';
}
