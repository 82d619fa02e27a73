import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import {
  anchorFromPem,
  isCairnError,
  noteVerifierFromKey,
  readFirmwareManifest,
  resolveSigningKey,
  verifyBundle,
  verifyEnvelope,
  verifyTlogProof,
  type FirmwareManifest,
} from '@cairn/core';
import { EXIT, toJson, UsageError, type Command } from '../command.js';

interface Verified {
  readonly components: FirmwareManifest['components'];
  readonly firmware: FirmwareManifest;
  readonly signer: string;
}

/** A C2SP verifier key given inline (`name+hex+base64`) or as a file holding one. */
async function readKeyArgument(arg: string): Promise<string> {
  try {
    return (await readFile(arg, 'utf8')).trim();
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' &&
      /^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(arg)
    )
      return arg;
    throw err;
  }
}

/** `cairn verify FILE.cairn --anchor PEM`: the device's checks, on a workstation. */
export const verifyCommand: Command = {
  path: ['verify'],
  summary: 'verify a .cairn bundle as a device would: signature chain, manifest, payloads, proof',
  help: `Usage: cairn verify FILE.cairn --anchor PEM [--anchor PEM …] [--log-key VKEY] [--require-proof] [--at ISO-TIME] [--json]

Runs the checks a device runs before it installs, without installing: the bundle's
structure and header checksum; the SUIT envelope's signature with a key that chains to a
trust anchor (x5chain) or is pinned; the Cairn firmware profile (vendor/class IDs,
sequence number, image digest and size); the transparency proof against the log key
(when --log-key is given); and every payload's SHA-256 and size, streamed.

  --anchor PEM      trust anchor: a CA certificate or public key (PEM); repeatable
  --log-key VKEY    the transparency log's verifier key (C2SP vkey text, or a file)
  --require-proof   fail when the bundle carries no transparency proof
  --at ISO-TIME     reference time for certificate validity (default: now)
  --json            print JSON

Exit codes: 0 verified · 1 refused (error code and reason printed) · 2 usage · 3 file missing`,
  options: {
    anchor: { type: 'string', multiple: true },
    'log-key': { type: 'string' },
    'require-proof': { type: 'boolean' },
    at: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [1, 1],
  async run({ io, values, positionals }) {
    const file = positionals[0] ?? '';
    const anchorFiles = (values['anchor'] ?? []) as string[];
    if (anchorFiles.length === 0) throw new UsageError('at least one --anchor PEM is required');
    const at = values['at'] === undefined ? new Date() : new Date(String(values['at']));
    if (Number.isNaN(at.getTime()))
      throw new UsageError(`--at '${String(values['at'])}' is not an ISO time`);
    let anchors;
    let logKey: string | undefined;
    try {
      anchors = await Promise.all(
        anchorFiles.map(async (f) => {
          const pem = await readFile(f, 'utf8');
          try {
            return anchorFromPem(pem);
          } catch (err) {
            throw new UsageError(
              `--anchor ${f} is not a PEM certificate or public key (${err instanceof Error ? err.message : String(err)})`,
            );
          }
        }),
      );
      const lk = values['log-key'];
      if (typeof lk === 'string') logKey = await readKeyArgument(lk);
      await access(file); // fail early and clearly; the bundle itself is streamed below
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        io.err(`cairn verify: ${(err as NodeJS.ErrnoException).path ?? 'file'} does not exist\n`);
        return EXIT.ENVIRONMENT;
      }
      throw err;
    }
    const verifier = logKey === undefined ? undefined : noteVerifierFromKey(logKey);
    const json = values['json'] === true;
    try {
      const result = await verifyBundle<Verified>(
        createReadStream(file, { highWaterMark: 1 << 20 }),
        {
          verifyEnvelope: (envelope) => {
            const v = verifyEnvelope(envelope, {
              resolveKey: (h) =>
                resolveSigningKey({
                  ...(h.x5chain ? { x5chain: h.x5chain } : {}),
                  ...(h.kid ? { kid: h.kid } : {}),
                  anchors,
                  at,
                }),
            });
            const firmware = readFirmwareManifest(v.manifest);
            return { components: firmware.components, firmware, signer: v.alg };
          },
          ...(verifier
            ? {
                verifyProof: (proof: Uint8Array, envelope: Uint8Array) =>
                  verifyTlogProof(proof, { data: envelope }, verifier),
              }
            : {}),
          requireProof: values['require-proof'] === true,
        },
      );
      const fw = result.manifest.firmware;
      const summary = {
        file,
        verified: true,
        sequenceNumber: fw.sequenceNumber,
        version: fw.version,
        vendorId: fw.vendorUuid,
        classId: fw.classUuid,
        algorithm: result.manifest.signer,
        transparencyProof:
          result.proof === undefined
            ? 'absent'
            : verifier
              ? 'verified'
              : 'present (not checked: no --log-key)',
        payloads: result.payloads.map((p, i) => ({
          component: p.componentIndex,
          size: p.size,
          sha256: Buffer.from(fw.components[i]?.digest.value ?? []).toString('hex'),
        })),
      };
      if (json) io.out(toJson(summary));
      else {
        io.out(
          `${file}: verified\n  version ${fw.version ?? '(none)'} · sequence ${fw.sequenceNumber} · signed ${summary.algorithm}\n` +
            `  vendor ${fw.vendorUuid} · class ${fw.classUuid}\n  transparency proof: ${summary.transparencyProof}\n` +
            summary.payloads
              .map((p) => `  payload ${p.component}: ${p.size} bytes, sha256 ${p.sha256}\n`)
              .join(''),
        );
      }
      return EXIT.OK;
    } catch (err) {
      if (!isCairnError(err)) throw err;
      const cause = err.details?.['causeCode'];
      const code = typeof cause === 'string' ? `${err.code} (${cause})` : err.code;
      if (json)
        io.out(toJson({ file, verified: false, code: err.code, cause, reason: err.message }));
      else io.err(`cairn verify: ${code}: ${err.message}\n`);
      return EXIT.FAILED;
    }
  },
};
