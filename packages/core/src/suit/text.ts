import { CborMap, encodeCbor, type CborValue } from '../cbor/index.js';
import { malformed } from './errors.js';
import {
  asArray,
  asBytes,
  asMap,
  asText,
  decodeWrapped,
  intKey,
  type ReadContext,
} from './read.js';
import type { ComponentId, SuitText, SuitTextComponent, SuitTextLanguage } from './types.js';

const LTAG = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

export function decodeComponentId(v: CborValue, where: string, maxParts: number): ComponentId {
  const parts = asArray(v, where);
  if (parts.length > maxParts) {
    throw malformed(
      where,
      `a component identifier has at most ${maxParts} parts, got ${parts.length}`,
    );
  }
  return parts.map((p, i) => asBytes(p, `${where}[${i}]`));
}

function fields(map: CborMap, where: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const [k, v] of map) {
    const key = intKey(k, where);
    out.set(key, asText(v, `${where} field ${key}`));
  }
  return out;
}

/** Decode a bstr-wrapped SUIT_Text_Map. */
export function decodeText(bytes: Uint8Array, where: string, ctx: ReadContext): SuitText {
  const top = asMap(decodeWrapped(bytes, where, ctx), where);
  const languages = new Map<string, SuitTextLanguage>();
  for (const [k, v] of top) {
    const tag = asText(k, `${where} language tag`);
    if (!LTAG.test(tag)) throw malformed(where, `'${tag}' is not a language tag (RFC 5646)`);
    const at = `${where} [${tag}]`;
    const lmap = asMap(v, at);
    const own = new Map<number, string>();
    const components: SuitTextComponent[] = [];
    for (const [lk, lv] of lmap) {
      if (Array.isArray(lk)) {
        const component = decodeComponentId(lk, `${at} component`, ctx.limits.maxComponentIdParts);
        components.push({
          component,
          fields: fields(asMap(lv, `${at} component`), `${at} component`),
        });
      } else {
        const key = intKey(lk, at);
        own.set(key, asText(lv, `${at} field ${key}`));
      }
    }
    languages.set(tag, { fields: own, components });
  }
  return { bytes, languages };
}

/** Build a SUIT_Text_Map (canonical CBOR). */
export function encodeText(languages: ReadonlyMap<string, SuitTextLanguage>): SuitText {
  const top = new CborMap();
  for (const [tag, lang] of languages) {
    if (!LTAG.test(tag)) throw malformed('text', `'${tag}' is not a language tag (RFC 5646)`);
    const lmap = new CborMap([...lang.fields]);
    for (const c of lang.components) lmap.set([...c.component], new CborMap([...c.fields]));
    top.set(tag, lmap);
  }
  return { bytes: encodeCbor(top, { canonical: true }), languages };
}
