/**
 * A tiny SWUpdate image for the end-to-end test: cpio "newc" (SWUpdate reads 070701/070702)
 * holding sw-description, its CMS signature (openssl cms, as SWUpdate's docs show) and one
 * payload installed with the default "rawfile" handler (`files:` with a path).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function cpioEntry(name: string, data: Uint8Array, ino: number): Buffer {
  const nameZ = Buffer.from(`${name}\0`);
  const fields = [ino, 0o100644, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameZ.length, 0];
  const header = Buffer.from(
    `070701${fields.map((v) => v.toString(16).toUpperCase().padStart(8, '0')).join('')}`,
  );
  const pad = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);
  const head = Buffer.concat([header, nameZ]);
  return Buffer.concat([head, pad(head.length), data, pad(data.length)]);
}

export function cpioNewc(files: readonly { name: string; data: Uint8Array }[]): Uint8Array {
  const parts = files.map((f, i) => cpioEntry(f.name, f.data, i + 1));
  parts.push(cpioEntry('TRAILER!!!', new Uint8Array(0), 0));
  return new Uint8Array(Buffer.concat(parts));
}

export interface SwuImage {
  readonly swu: Uint8Array;
  /** Certificate SWUpdate verifies the CMS signature with (-k). */
  readonly certPath: string;
  /** -H value matching the image's hardware-compatibility. */
  readonly hardware: string;
}

/** Build a signed .swu that writes `payload` to `installPath`. Files go into `dir`. */
export function buildSwu(dir: string, payload: Uint8Array, installPath: string): SwuImage {
  const sha = createHash('sha256').update(payload).digest('hex');
  const description = `software =
{
\tversion = "1.0.0";
\tdescription = "Cairn end-to-end test";
\thardware-compatibility: [ "1.0" ];
\tfiles: (
\t\t{
\t\t\tfilename = "payload.bin";
\t\t\tpath = "${installPath}";
\t\t\tsha256 = "${sha}";
\t\t}
\t);
}
`;
  const key = join(dir, 'swu-key.pem');
  const cert = join(dir, 'swu-cert.pem');
  const desc = join(dir, 'sw-description');
  const sig = join(dir, 'sw-description.sig');
  writeFileSync(desc, description);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=cairn-swu-test',
      '-addext',
      'keyUsage=digitalSignature',
      '-addext',
      'extendedKeyUsage=emailProtection',
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'cms',
      '-sign',
      '-in',
      desc,
      '-out',
      sig,
      '-signer',
      cert,
      '-inkey',
      key,
      '-outform',
      'DER',
      '-nosmimecap',
      '-binary',
    ],
    { stdio: 'ignore' },
  );
  const swu = cpioNewc([
    { name: 'sw-description', data: new Uint8Array(Buffer.from(description)) },
    { name: 'sw-description.sig', data: new Uint8Array(readFileSync(sig)) },
    { name: 'payload.bin', data: payload },
  ]);
  return { swu, certPath: cert, hardware: 'cairn:1.0' };
}
