import { encodeCbor, type CborValue } from '../cbor/index.js';
import {
  ConditionCode,
  DirectiveCode,
  type ConditionName,
  type DirectiveName,
} from './constants.js';
import { malformed, SuitError } from './errors.js';
import { decodeParameters, parametersToCbor } from './parameters.js';
import {
  asArray,
  asBool,
  asBytes,
  asInt,
  asUint,
  decodeWrapped,
  describe,
  limit,
  type ReadContext,
} from './read.js';
import type {
  ActionDirectiveName,
  ComponentIndex,
  SuitCommand,
  SuitCommandSequence,
} from './types.js';

const CONDITIONS = new Map<number, ConditionName>(
  Object.entries(ConditionCode).map(([n, c]) => [c, n as ConditionName]),
);
const DIRECTIVES = new Map<number, DirectiveName>(
  Object.entries(DirectiveCode).map(([n, c]) => [c, n as DirectiveName]),
);

function decodeIndex(v: CborValue, where: string, ctx: ReadContext): ComponentIndex {
  if (typeof v === 'boolean') {
    if (!asBool(v, where))
      throw malformed(where, 'component index false is not allowed (use true, an index or a list)');
    return true;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) throw malformed(where, 'a component index list needs at least one index');
    limit(v.length, ctx.limits.maxComponents, 'component indices', where);
    return v.map((x, i) => asUint(x, `${where}[${i}]`));
  }
  return asUint(v, where);
}

/** Decode a bstr-wrapped SUIT_Command_Sequence. `depth` counts try-each/run-sequence nesting. */
export function decodeSequence(
  bytes: Uint8Array,
  where: string,
  ctx: ReadContext,
  depth = 0,
): SuitCommandSequence {
  limit(depth, ctx.limits.maxSequenceDepth, 'levels of nested command sequences', where);
  const items = asArray(decodeWrapped(bytes, where, ctx), where);
  if (items.length === 0) throw malformed(where, 'a command sequence needs at least one command');
  if (items.length % 2 !== 0) {
    throw malformed(
      where,
      `a command sequence is pairs of (command, argument); got ${items.length} items`,
    );
  }
  limit(items.length / 2, ctx.limits.maxCommands, 'commands', where);
  ctx.commands += items.length / 2;
  limit(ctx.commands, ctx.limits.maxTotalCommands, 'commands in the manifest', where);
  const commands: SuitCommand[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const at = `${where} command ${i / 2}`;
    commands.push(decodeCommand(asInt(items[i], at), items[i + 1], at, ctx, depth));
  }
  return { bytes, commands };
}

function decodeCommand(
  code: number,
  arg: CborValue,
  at: string,
  ctx: ReadContext,
  depth: number,
): SuitCommand {
  if (code < 0) return { kind: 'custom', name: 'custom', code, argument: arg };
  const condition = CONDITIONS.get(code);
  if (condition !== undefined) {
    return {
      kind: 'condition',
      name: condition,
      code,
      policy: asUint(arg, `${at} (${condition}) reporting policy`),
    };
  }
  const directive = DIRECTIVES.get(code);
  const where = `${at} (${directive ?? code})`;
  switch (directive) {
    case 'set-component-index':
      return { kind: 'directive', name: directive, code: 12, index: decodeIndex(arg, where, ctx) };
    case 'set-parameters':
    case 'override-parameters':
      return {
        kind: 'directive',
        name: directive,
        code: directive === 'set-parameters' ? 19 : 20,
        parameters: decodeParameters(arg, where, ctx),
      };
    case 'try-each': {
      const alts = asArray(arg, where);
      if (alts.length < 2)
        throw malformed(where, `try-each needs at least 2 entries, got ${alts.length}`);
      limit(alts.length, ctx.limits.maxCommands, 'try-each alternatives', where);
      const sequences = alts.map((s, i) => {
        if (s === null) {
          if (i !== alts.length - 1)
            throw malformed(where, 'only the last try-each entry may be nil');
          return null;
        }
        return decodeSequence(asBytes(s, `${where}[${i}]`), `${where}[${i}]`, ctx, depth + 1);
      });
      return { kind: 'directive', name: 'try-each', code: 15, sequences };
    }
    case 'run-sequence':
      return {
        kind: 'directive',
        name: 'run-sequence',
        code: 32,
        sequence: decodeSequence(asBytes(arg, where), where, ctx, depth + 1),
      };
    case undefined:
      throw new SuitError(
        'SUIT_UNKNOWN_COMMAND',
        `${at}: unknown command ${code} with ${describe(arg)}; this manifest needs a newer processor`,
        { details: { where: at, code } },
      );
    default:
      return {
        kind: 'directive',
        name: directive satisfies ActionDirectiveName,
        code,
        policy: asUint(arg, `${where} reporting policy`),
      };
  }
}

function commandToCbor(c: SuitCommand): [number, CborValue] {
  switch (c.kind) {
    case 'condition':
      return [c.code, c.policy];
    case 'custom':
      return [c.code, c.argument];
    default:
      break;
  }
  switch (c.name) {
    case 'set-component-index':
      return [c.code, typeof c.index === 'object' ? [...c.index] : c.index];
    case 'set-parameters':
    case 'override-parameters':
      return [c.code, parametersToCbor(c.parameters)];
    case 'try-each':
      return [c.code, c.sequences.map((s) => (s === null ? null : s.bytes))];
    case 'run-sequence':
      return [c.code, c.sequence.bytes];
    default:
      return [c.code, c.policy];
  }
}

/** Build a command sequence (canonical CBOR) from commands whose nested sequences are built. */
export function encodeSequence(commands: readonly SuitCommand[]): SuitCommandSequence {
  if (commands.length === 0) {
    throw new SuitError('SUIT_MALFORMED', 'a command sequence needs at least one command');
  }
  const items = commands.flatMap(commandToCbor);
  return { bytes: encodeCbor(items, { canonical: true }), commands };
}
