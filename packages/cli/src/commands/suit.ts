import { readFile } from 'node:fs/promises';
import { decodeEnvelope, isCairnError, verifyEnvelope } from '@cairn/core';
import { EXIT, toJson, UsageError, type Command } from '../command.js';
import { describeEnvelope, renderEnvelope } from './suit-format.js';
import { readEnvelopeFile } from './suit-input.js';

/** `cairn suit decode FILE`: show what a SUIT envelope says (no signature check). */
export const suitDecodeCommand: Command = {
  path: ['suit', 'decode'],
  summary: 'show a SUIT envelope: sequence number, ids, components, sequences, signatures',
  help: `Usage: cairn suit decode FILE [--hex] [--json]

Decodes a SUIT envelope (draft-ietf-suit-manifest) and prints the manifest sequence
number, vendor/class IDs (as UUIDs), components, digests and sizes, every command
sequence with its commands, severed members, and the signatures (alg, kid).
Checks the manifest digest and the digests of severed members; does NOT verify
signatures (use 'cairn suit verify').

  --hex    FILE is hex text (whitespace ignored) instead of raw CBOR
  --json   print JSON

Exit codes: 0 decoded · 1 malformed envelope · 3 file missing`,
  options: { hex: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: [1, 1],
  async run({ io, values, positionals }) {
    const file = positionals[0] ?? '';
    const bytes = await readEnvelopeFile(file, values['hex'] === true, io, 'suit decode');
    if (typeof bytes === 'number') return bytes;
    const data = describeEnvelope(decodeEnvelope(bytes), bytes.length);
    io.out(values['json'] === true ? toJson(data) : renderEnvelope(data));
    return EXIT.OK;
  },
};

/** `cairn suit verify FILE --key PEM`: exit 0 only when a signature verifies. */
export const suitVerifyCommand: Command = {
  path: ['suit', 'verify'],
  summary: 'verify a SUIT envelope signature with a public key',
  help: `Usage: cairn suit verify FILE --key PEM [--hex] [--json]

Decodes the envelope (manifest and severed-member digests checked) and verifies its
COSE_Sign1 authentication blocks against the public key; succeeds when at least one
verifies.

  --key PEM  public key file (PEM SubjectPublicKeyInfo)
  --hex      FILE is hex text (whitespace ignored) instead of raw CBOR
  --json     print JSON

Exit codes: 0 a signature verified · 1 not verified (error code and reason printed)
            2 usage · 3 file or key file missing`,
  options: { key: { type: 'string' }, hex: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: [1, 1],
  async run({ io, values, positionals }) {
    const keyPath = values['key'];
    if (typeof keyPath !== 'string') throw new UsageError('--key PEM is required');
    const file = positionals[0] ?? '';
    const json = values['json'] === true;
    const bytes = await readEnvelopeFile(file, values['hex'] === true, io, 'suit verify');
    if (typeof bytes === 'number') return bytes;
    let key: string;
    try {
      key = await readFile(keyPath, 'utf8');
    } catch (err) {
      io.err(
        `cairn suit verify: cannot read key ${keyPath} (${(err as NodeJS.ErrnoException).code ?? 'EIO'}); check the path\n`,
      );
      return EXIT.ENVIRONMENT;
    }
    try {
      const v = verifyEnvelope(bytes, { keys: [key] });
      const result = {
        verified: true,
        alg: v.alg,
        block: v.blockIndex,
        ...(v.kid === undefined ? {} : { kid: Buffer.from(v.kid).toString('hex') }),
        sequenceNumber: v.manifest.sequenceNumber,
      };
      io.out(
        json
          ? toJson(result)
          : `verified: ${v.alg} signature (block ${v.blockIndex}) over manifest sequence number ${String(v.manifest.sequenceNumber)}\n`,
      );
      return EXIT.OK;
    } catch (err) {
      if (!isCairnError(err)) throw err;
      const reason = err.message.split('\n')[0] ?? '';
      if (json) io.out(toJson({ verified: false, code: err.code, reason }));
      io.err(`cairn suit verify: ${err.code}: ${reason}\n`);
      return EXIT.FAILED;
    }
  },
};
