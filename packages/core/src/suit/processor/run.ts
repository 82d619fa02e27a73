import type { SequenceName } from '../constants.js';
import type {
  SuitCommand,
  SuitCommandSequence,
  SuitEnvelope,
  SuitManifest,
  SuitParameters,
} from '../types.js';
import { evaluateCondition } from './conditions.js';
import { customCommand, executeAction } from './directives.js';
import { CommandFailure, CONDITION_FAILURES, SuitProcessError } from './errors.js';
import type { SuitPlatform } from './platform.js';
import { RunState, type ParamRecord, type ProcessOptions, type TraceEntry } from './state.js';

const DEFAULT_MAX_STEPS = 100_000;

/** Sequence orders of the draft's two procedures. */
export const UPDATE_PROCEDURE: readonly SequenceName[] = Object.freeze([
  'payloadFetch',
  'install',
  'validate',
]);
export const INVOKE_PROCEDURE: readonly SequenceName[] = Object.freeze([
  'validate',
  'load',
  'invoke',
]);
export const FULL_PROCEDURE: readonly SequenceName[] = Object.freeze([
  'payloadFetch',
  'install',
  'validate',
  'load',
  'invoke',
]);

interface Loc {
  readonly section: string;
  readonly path: readonly number[];
}

function located(
  st: RunState,
  loc: Loc,
  cmd: SuitCommand,
  component: number | undefined,
  f: CommandFailure,
): SuitProcessError {
  return new SuitProcessError(
    f.code,
    f.problem,
    {
      sequence: st.sequence,
      section: loc.section,
      commandIndex: loc.path[0] ?? -1,
      commandPath: loc.path,
      command: cmd.name === 'custom' ? `custom ${cmd.code}` : cmd.name,
      componentIndex: component,
    },
    f.failureCause,
  );
}

function record(
  st: RunState,
  loc: Loc,
  cmd: SuitCommand,
  component: number | undefined,
  ok: boolean,
): void {
  st.trace.push({
    sequence: st.sequence,
    section: loc.section,
    commandPath: loc.path,
    command: cmd.name === 'custom' ? `custom ${cmd.code}` : cmd.name,
    componentIndex: component,
    outcome: ok ? 'ok' : 'failed',
  });
}

function checkIndex(st: RunState, i: number): void {
  if (i >= st.components) {
    throw new CommandFailure(
      'COMPONENT_INDEX_INVALID',
      `component index ${i} is out of range: the manifest lists ${st.components} component(s)`,
    );
  }
}

function applyParameters(target: ParamRecord, p: SuitParameters, override: boolean): void {
  for (const [k, v] of Object.entries(p) as [keyof SuitParameters, unknown][]) {
    if (v === undefined) continue;
    if (override || target[k] === undefined) (target as Record<string, unknown>)[k] = v;
  }
}

async function execSequence(seq: SuitCommandSequence, st: RunState, loc: Loc): Promise<void> {
  for (const [i, cmd] of seq.commands.entries()) {
    await execCommand(cmd, st, { section: loc.section, path: [...loc.path, i] });
  }
}

/** Run `body` once per selected component with the index set to that component. */
async function perComponent(st: RunState, body: (index: number) => Promise<void>): Promise<void> {
  const outer = st.index;
  try {
    for (const i of st.selected()) {
      st.index = i;
      await body(i);
    }
  } finally {
    st.index = outer;
  }
}

/** Run a nested sequence with soft-failure scoping; returns the absorbed failure, if any. */
async function nested(
  st: RunState,
  seq: SuitCommandSequence,
  loc: Loc,
  softDefault: boolean,
): Promise<SuitProcessError | undefined> {
  const savedSoft = st.softFailure;
  const snap = st.snapshot();
  st.softFailure = softDefault;
  try {
    await execSequence(seq, st, loc);
    return undefined;
  } catch (err) {
    if (err instanceof SuitProcessError && CONDITION_FAILURES.has(err.code) && st.softFailure) {
      st.restore(snap);
      return err;
    }
    throw err;
  } finally {
    st.softFailure = savedSoft;
  }
}

async function execCommand(cmd: SuitCommand, st: RunState, loc: Loc): Promise<void> {
  st.steps += 1;
  const max = st.opts.maxSteps ?? DEFAULT_MAX_STEPS;
  if (st.steps > max) {
    throw located(
      st,
      loc,
      cmd,
      undefined,
      new CommandFailure(
        'LIMIT_EXCEEDED',
        `more than ${max} commands executed; the manifest loops too much`,
      ),
    );
  }
  let component: number | undefined;
  try {
    switch (cmd.name) {
      case 'set-component-index': {
        const idx = cmd.index;
        if (idx !== true) for (const i of typeof idx === 'number' ? [idx] : idx) checkIndex(st, i);
        st.index = idx;
        break;
      }
      case 'override-parameters':
      case 'set-parameters':
        for (const i of st.selected()) {
          component = i;
          checkIndex(st, i);
          applyParameters(st.paramsOf(i), cmd.parameters, cmd.name === 'override-parameters');
        }
        if (cmd.parameters.softFailure !== undefined) st.softFailure = cmd.parameters.softFailure;
        component = undefined;
        break;
      case 'try-each':
        await perComponent(st, async (i) => {
          component = i;
          checkIndex(st, i);
          let last: SuitProcessError | undefined;
          for (const [alt, seq] of cmd.sequences.entries()) {
            if (seq === null) return;
            last = await nested(st, seq, { section: loc.section, path: [...loc.path, alt] }, true);
            if (last === undefined) return;
          }
          throw new CommandFailure(
            'TRY_EACH_FAILED',
            `none of the ${cmd.sequences.length} alternatives applies to this device`,
            last,
          );
        });
        component = undefined;
        break;
      case 'run-sequence':
        await perComponent(st, async (i) => {
          component = i;
          checkIndex(st, i);
          await nested(st, cmd.sequence, { section: loc.section, path: [...loc.path, 0] }, false);
        });
        component = undefined;
        break;
      default:
        for (const i of st.selected()) {
          component = i;
          checkIndex(st, i);
          if (cmd.kind === 'condition') await evaluateCondition(cmd, i, st);
          else if (cmd.kind === 'custom') customCommand(cmd);
          else await executeAction(cmd, i, st);
        }
    }
  } catch (err) {
    if (err instanceof CommandFailure) {
      record(st, loc, cmd, component, false);
      throw located(st, loc, cmd, component, err);
    }
    throw err;
  }
  record(st, loc, cmd, component, true);
}

export interface SequenceRun {
  readonly sequence: SequenceName;
  readonly trace: readonly TraceEntry[];
}

function sequenceOf(
  manifest: SuitManifest,
  name: SequenceName,
): SuitCommandSequence | 'severed-missing' | undefined {
  const m = manifest[name];
  if (m === undefined) return undefined;
  if ('commands' in m) return m;
  if (!m.severed) return m.value;
  return m.value ?? 'severed-missing';
}

function structural(
  code: 'SEQUENCE_MISSING' | 'SEVERED_MISSING',
  sequence: string,
  problem: string,
): SuitProcessError {
  return new SuitProcessError(code, problem, {
    sequence,
    section: sequence,
    commandIndex: -1,
    commandPath: [],
    command: '(none)',
    componentIndex: undefined,
  });
}

/**
 * Run one manifest sequence: parameters cleared, the shared sequence first, then the
 * sequence. Throws SuitProcessError (sequence, command index, code) on the first failure.
 */
export async function runSequence(
  manifest: SuitManifest,
  name: SequenceName,
  platform: SuitPlatform,
  opts: ProcessOptions = {},
  trace: TraceEntry[] = [],
): Promise<SequenceRun> {
  const seq = sequenceOf(manifest, name);
  if (seq === undefined)
    throw structural('SEQUENCE_MISSING', name, `the manifest has no ${name} sequence`);
  if (seq === 'severed-missing') {
    throw structural(
      'SEVERED_MISSING',
      name,
      `the ${name} sequence was severed and the envelope does not carry it; fetch the full envelope`,
    );
  }
  const st = new RunState(manifest, platform, name, opts, trace);
  const start = trace.length;
  const shared = manifest.common.sharedSequence;
  if (shared !== undefined)
    await execSequence(shared, st, { section: 'shared-sequence', path: [] });
  await execSequence(seq, st, { section: name, path: [] });
  return { sequence: name, trace: trace.slice(start) };
}

export interface ProcessEnvelopeOptions extends ProcessOptions {
  /** Sequences to run, in order; absent ones are skipped. Default FULL_PROCEDURE. */
  readonly sequences?: readonly SequenceName[];
}

export interface ProcessResult {
  readonly ran: readonly SequenceName[];
  readonly skipped: readonly SequenceName[];
  readonly trace: readonly TraceEntry[];
}

/**
 * Process a decoded (and, by the caller, verified) envelope: each requested sequence that
 * the manifest has, in order. Integrated payloads of the envelope serve '#' URIs.
 */
export async function processEnvelope(
  envelope: SuitEnvelope,
  platform: SuitPlatform,
  opts: ProcessEnvelopeOptions = {},
): Promise<ProcessResult> {
  const trace: TraceEntry[] = [];
  const ran: SequenceName[] = [];
  const skipped: SequenceName[] = [];
  const runOpts: ProcessOptions = { ...opts, integrated: opts.integrated ?? envelope.integrated };
  for (const name of opts.sequences ?? FULL_PROCEDURE) {
    if (envelope.manifest[name] === undefined) {
      skipped.push(name);
      continue;
    }
    await runSequence(envelope.manifest, name, platform, runOpts, trace);
    ran.push(name);
  }
  return { ran, skipped, trace };
}
