import { readFile } from 'node:fs/promises';
import { EXIT, type Io } from '../command.js';

/** Read an envelope file: raw CBOR, or hex text with `--hex` (whitespace ignored). */
export async function readEnvelopeFile(
  path: string,
  hex: boolean,
  io: Io,
  cmd: string,
): Promise<Uint8Array | number> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    io.err(`cairn ${cmd}: cannot read ${path} (${code}); check the path\n`);
    return EXIT.ENVIRONMENT;
  }
  if (!hex) return new Uint8Array(raw);
  const text = raw.toString('utf8').replace(/\s+/g, '');
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    io.err(`cairn ${cmd}: ${path} is not hex text (drop --hex for a binary CBOR file)\n`);
    return EXIT.FAILED;
  }
  return new Uint8Array(Buffer.from(text, 'hex'));
}
