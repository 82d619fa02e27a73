import type { ActionCommand, CustomCommand } from '../types.js';
import { CommandFailure } from './errors.js';
import type { ComponentRef } from './platform.js';
import type { RunState } from './state.js';

const DEFAULT_MAX_PAYLOAD = 256 * 1024 * 1024;

async function platformCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CommandFailure) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new CommandFailure('PLATFORM_FAILED', `${what} failed on the platform: ${reason}`, err);
  }
}

function source(st: RunState, index: number, cmd: string): ComponentRef {
  const src = st.paramsOf(index).sourceComponent;
  if (src === undefined) {
    throw new CommandFailure(
      'PARAMETER_MISSING',
      `${cmd} needs suit-parameter-source-component; set it with override-parameters first`,
    );
  }
  if (src >= st.components) {
    throw new CommandFailure(
      'COMPONENT_INDEX_INVALID',
      `source component ${src} is out of range (the manifest lists ${st.components})`,
    );
  }
  return st.ref(src);
}

async function fetchPayload(st: RunState, index: number): Promise<Uint8Array> {
  const p = st.paramsOf(index);
  if (p.uri === undefined) {
    throw new CommandFailure(
      'PARAMETER_MISSING',
      'fetch needs suit-parameter-uri; set it with override-parameters first',
    );
  }
  const uri = p.uri;
  const max = st.opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  let data: Uint8Array;
  if (uri.startsWith('#')) {
    const found = st.opts.integrated?.get(uri) ?? st.opts.integrated?.get(uri.slice(1));
    if (found === undefined) {
      throw new CommandFailure(
        'PAYLOAD_NOT_FOUND',
        `integrated payload '${uri}' is not in the envelope`,
      );
    }
    data = found;
  } else {
    data = await platformCall(`fetch ${uri}`, () =>
      st.platform.fetch(uri, st.ref(index), p.fetchArgs),
    );
  }
  if (data.length > max) {
    throw new CommandFailure(
      'PAYLOAD_TOO_LARGE',
      `payload from ${uri} is ${data.length} bytes, over the cap of ${max}`,
    );
  }
  return data;
}

/** Execute one side-effecting directive on one component. */
export async function executeAction(
  cmd: ActionCommand,
  index: number,
  st: RunState,
): Promise<void> {
  const ref = st.ref(index);
  const pf = st.platform;
  switch (cmd.name) {
    case 'fetch': {
      const data = await fetchPayload(st, index);
      await platformCall('write', () => pf.writeComponent(ref, data));
      return;
    }
    case 'write': {
      const content = st.paramsOf(index).content;
      if (content === undefined) {
        throw new CommandFailure('PARAMETER_MISSING', 'write needs suit-parameter-content');
      }
      await platformCall('write', () => pf.writeComponent(ref, content));
      return;
    }
    case 'copy': {
      const src = source(st, index, 'copy');
      if (pf.copy !== undefined) {
        const copy = pf.copy.bind(pf);
        await platformCall('copy', () => copy(src, ref));
        return;
      }
      const data = await platformCall('read', () => pf.readComponent(src));
      if (data === undefined) {
        throw new CommandFailure(
          'COMPONENT_MISSING',
          `source component ${src.index} holds nothing to copy`,
        );
      }
      await platformCall('write', () => pf.writeComponent(ref, data));
      return;
    }
    case 'swap': {
      const src = source(st, index, 'swap');
      if (pf.swap !== undefined) {
        const swap = pf.swap.bind(pf);
        await platformCall('swap', () => swap(src, ref));
        return;
      }
      const [a, b] = await platformCall('read', () =>
        Promise.all([pf.readComponent(src), pf.readComponent(ref)]),
      );
      if (a === undefined) {
        throw new CommandFailure(
          'COMPONENT_MISSING',
          `source component ${src.index} holds nothing to swap`,
        );
      }
      await platformCall('write', async () => {
        await pf.writeComponent(ref, a);
        await pf.writeComponent(src, b ?? new Uint8Array(0));
      });
      return;
    }
    case 'invoke': {
      const args = st.paramsOf(index).invokeArgs;
      await platformCall('invoke', () => pf.invoke(ref, args));
      return;
    }
    default:
      throw new CommandFailure(
        'UNSUPPORTED_COMMAND',
        `directive ${cmd.name} (${cmd.code}) is not supported by this processor`,
      );
  }
}

export function customCommand(cmd: CustomCommand): never {
  throw new CommandFailure(
    'UNSUPPORTED_COMMAND',
    `custom command ${cmd.code} is not supported by this processor (custom commands are vendor-specific)`,
  );
}
