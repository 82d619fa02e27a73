/**
 * The device filter language of rollouts: comparisons of device attributes joined with
 * `and`, `or`, `not` and parentheses, e.g. `hw=rev2 and (region=eu or region="us-east")`.
 *
 *   expr  := or
 *   or    := and ("or" and)*
 *   and   := unary ("and" unary)*
 *   unary := "not" unary | "(" or ")" | key ("=" | "!=") value | key "exists"
 *
 * Keys and bare values are [A-Za-z0-9._:/-]+; quoted values ("…") may hold anything but
 * `"` and `\`. Keywords are case-insensitive. No regexes, no code: evaluation is a walk
 * over a bounded tree (at most 1024 characters, 64 comparisons, depth 16).
 */
import { RolloutError } from './errors.js';

export type FilterNode =
  | { readonly op: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly op: 'not'; readonly expr: FilterNode }
  | { readonly op: '=' | '!='; readonly key: string; readonly value: string }
  | { readonly op: 'exists'; readonly key: string }
  | { readonly op: 'all' };

export const MAX_FILTER_LENGTH = 1024;
const MAX_TERMS = 64;
const MAX_DEPTH = 16;

type Token = { kind: 'word' | 'string' | 'sym'; text: string; at: number };

const WORD = /[A-Za-z0-9._:/-]/;

function fail(message: string, at: number): never {
  throw new RolloutError(
    'ROLLOUT_FILTER_INVALID',
    `filter: ${message} at position ${at}; write e.g. hw=rev2 and (region=eu or region="us-east")`,
    { details: { position: at } },
  );
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '=') {
      out.push({ kind: 'sym', text: c, at: i++ });
    } else if (c === '!' && src[i + 1] === '=') {
      out.push({ kind: 'sym', text: '!=', at: i });
      i += 2;
    } else if (c === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) fail('unterminated quoted value', i);
      const text = src.slice(i + 1, end);
      if (text.includes('\\')) fail('backslashes are not allowed in quoted values', i);
      out.push({ kind: 'string', text, at: i });
      i = end + 1;
    } else if (WORD.test(c)) {
      const start = i;
      while (i < src.length && WORD.test(src[i] ?? '')) i++;
      out.push({ kind: 'word', text: src.slice(start, i), at: start });
    } else {
      fail(`unexpected character ${JSON.stringify(c)}`, i);
    }
  }
  return out;
}

const isKeyword = (t: Token | undefined, kw: string): boolean =>
  t?.kind === 'word' && t.text.toLowerCase() === kw;

/** Parse a filter; the empty string selects every device. */
export function parseFilter(src: string): FilterNode {
  if (typeof src !== 'string') fail('must be text', 0);
  if (src.length > MAX_FILTER_LENGTH) fail(`longer than ${MAX_FILTER_LENGTH} characters`, 0);
  const tokens = tokenize(src);
  if (tokens.length === 0) return { op: 'all' };
  let pos = 0;
  let terms = 0;
  const peek = (): Token | undefined => tokens[pos];
  const at = (): number => peek()?.at ?? src.length;

  const parseOr = (depth: number): FilterNode => {
    let left = parseAnd(depth);
    while (isKeyword(peek(), 'or')) {
      pos++;
      left = { op: 'or', left, right: parseAnd(depth) };
    }
    return left;
  };
  const parseAnd = (depth: number): FilterNode => {
    let left = parseUnary(depth);
    while (isKeyword(peek(), 'and')) {
      pos++;
      left = { op: 'and', left, right: parseUnary(depth) };
    }
    return left;
  };
  const parseUnary = (depth: number): FilterNode => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH}`, at());
    const t = peek();
    if (t === undefined) fail('expression expected', src.length);
    if (isKeyword(t, 'not')) {
      pos++;
      return { op: 'not', expr: parseUnary(depth + 1) };
    }
    if (t.kind === 'sym' && t.text === '(') {
      pos++;
      const inner = parseOr(depth + 1);
      const close = peek();
      if (close?.kind !== 'sym' || close.text !== ')') fail('")" expected', at());
      pos++;
      return inner;
    }
    if (t.kind !== 'word') fail('attribute name expected', t.at);
    pos++;
    if (++terms > MAX_TERMS) fail(`more than ${MAX_TERMS} comparisons`, t.at);
    const op = peek();
    if (isKeyword(op, 'exists')) {
      pos++;
      return { op: 'exists', key: t.text };
    }
    if (op?.kind !== 'sym' || (op.text !== '=' && op.text !== '!=')) {
      fail(`"=", "!=" or "exists" expected after "${t.text}"`, at());
    }
    pos++;
    const v = peek();
    if (v === undefined || v.kind === 'sym')
      fail(`value expected after "${t.text}${op.text}"`, at());
    pos++;
    return { op: op.text, key: t.text, value: v.text };
  };

  const tree = parseOr(0);
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]?.text ?? ''}"`, at());
  return tree;
}

/** Whether a device's attributes match the filter. */
export function matchesFilter(node: FilterNode, attrs: Readonly<Record<string, string>>): boolean {
  switch (node.op) {
    case 'all':
      return true;
    case 'and':
      return matchesFilter(node.left, attrs) && matchesFilter(node.right, attrs);
    case 'or':
      return matchesFilter(node.left, attrs) || matchesFilter(node.right, attrs);
    case 'not':
      return !matchesFilter(node.expr, attrs);
    case 'exists':
      return Object.hasOwn(attrs, node.key);
    case '=':
      return Object.hasOwn(attrs, node.key) && attrs[node.key] === node.value;
    case '!=':
      return !Object.hasOwn(attrs, node.key) || attrs[node.key] !== node.value;
  }
}
