import { readFileSync } from 'node:fs';
import { listVectorFiles, vectorPath } from './vectors.js';

/** One SUIT example from the IETF SUIT manifest draft (vectors/suit, see its README). */
export interface SuitExample {
  /** `example0` … `example5`. */
  readonly name: string;
  /** The signed envelope: the hex block after "Envelope with COSE authentication object:". */
  readonly envelope: Uint8Array;
  /** The generator input (`exampleN.json`) the draft built the example from. */
  readonly json: unknown;
}

const MARKER = 'Envelope with COSE authentication object:';

/** The hex of the last ~~~ block after the marker line of a draft example file. */
export function suitEnvelopeHex(text: string, name = 'example'): string {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim() === MARKER);
  if (at < 0) throw new Error(`${name}: no "${MARKER}" line`);
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const line of lines.slice(at + 1)) {
    if (line.trim().startsWith('~~~')) {
      if (current === undefined) current = [];
      else {
        blocks.push(current);
        current = undefined;
      }
    } else if (current !== undefined) current.push(line);
  }
  const last = blocks.at(-1);
  if (last === undefined) throw new Error(`${name}: no ~~~ block after "${MARKER}"`);
  const hex = last.join('').replace(/\s+/g, '');
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new Error(`${name}: the envelope block is not an even-length hex string`);
  }
  return hex.toLowerCase();
}

/** The six SUIT examples, sorted by name, with their envelopes decoded from hex. */
export function loadSuitExamples(): SuitExample[] {
  return listVectorFiles('suit')
    .filter((f) => /^example\d+\.txt$/.test(f))
    .map((file) => {
      const name = file.replace(/\.txt$/, '');
      const hex = suitEnvelopeHex(readFileSync(vectorPath('suit', file), 'utf8'), name);
      const json: unknown = JSON.parse(readFileSync(vectorPath('suit', `${name}.json`), 'utf8'));
      return { name, envelope: new Uint8Array(Buffer.from(hex, 'hex')), json };
    });
}

/** The PEM public key (P-256, ES256) that verifies every SUIT example's signature. */
export function suitPublicKeyPem(): string {
  return readFileSync(vectorPath('suit', 'public_key.pem'), 'utf8');
}
