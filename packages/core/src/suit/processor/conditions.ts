import { timingSafeEqual } from 'node:crypto';
import { hashWith } from '../digest.js';
import type { ConditionCommand } from '../types.js';
import { CommandFailure } from './errors.js';
import type { RunState } from './state.js';

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function missing(param: string, condition: string): CommandFailure {
  return new CommandFailure(
    'PARAMETER_MISSING',
    `${condition} needs suit-parameter-${param}, which is not set for this component; set it with override-parameters first`,
  );
}

/** Evaluate one condition on one component; throws CommandFailure when it does not hold. */
export async function evaluateCondition(
  cmd: ConditionCommand,
  index: number,
  st: RunState,
): Promise<void> {
  const p = st.paramsOf(index);
  const ref = st.ref(index);
  switch (cmd.name) {
    case 'vendor-identifier': {
      if (p.vendorId === undefined) throw missing('vendor-identifier', cmd.name);
      const want = 'uuid' in p.vendorId ? p.vendorId.uuid : p.vendorId.pen;
      const id = await st.platform.identity(ref);
      if (!id.vendorIds.some((v) => same(v, want))) {
        throw new CommandFailure(
          'CONDITION_FAILED_VENDOR_ID',
          'the manifest is for another vendor',
        );
      }
      return;
    }
    case 'class-identifier': {
      if (p.classId === undefined) throw missing('class-identifier', cmd.name);
      const want = p.classId;
      const id = await st.platform.identity(ref);
      if (!id.classIds.some((v) => same(v, want))) {
        throw new CommandFailure(
          'CONDITION_FAILED_CLASS_ID',
          'the manifest is for another device class',
        );
      }
      return;
    }
    case 'device-identifier': {
      if (p.deviceId === undefined) throw missing('device-identifier', cmd.name);
      const id = await st.platform.identity(ref);
      if (id.deviceId === undefined || !same(id.deviceId, p.deviceId)) {
        throw new CommandFailure(
          'CONDITION_FAILED_DEVICE_ID',
          'the manifest is for another device',
        );
      }
      return;
    }
    case 'image-match':
    case 'image-not-match': {
      if (p.imageDigest === undefined) throw missing('image-digest', cmd.name);
      const d = p.imageDigest;
      const measured = await st.platform.measure?.(ref, d.algorithm);
      let matches: boolean;
      if (measured !== undefined) {
        matches =
          same(measured.digest, d.value) &&
          (p.imageSize === undefined || measured.size === p.imageSize);
      } else {
        const content = await st.platform.readComponent(ref);
        matches =
          content !== undefined &&
          (p.imageSize === undefined || content.length === p.imageSize) &&
          same(hashWith(d.algorithm, content), d.value);
      }
      if (cmd.name === 'image-match' && !matches) {
        throw new CommandFailure(
          'CONDITION_FAILED_IMAGE_MATCH',
          `the component does not match the ${d.algorithm} digest${p.imageSize === undefined ? '' : ` and size ${p.imageSize}`} in the manifest`,
        );
      }
      if (cmd.name === 'image-not-match' && matches) {
        throw new CommandFailure(
          'CONDITION_FAILED_IMAGE_NOT_MATCH',
          'the component already matches the image digest',
        );
      }
      return;
    }
    case 'component-slot': {
      if (p.componentSlot === undefined) throw missing('component-slot', cmd.name);
      const slot = await st.platform.currentSlot?.(ref);
      if (slot !== p.componentSlot) {
        throw new CommandFailure(
          'CONDITION_FAILED_SLOT',
          `the component is in slot ${slot === undefined ? '(unknown)' : slot}, not slot ${p.componentSlot}`,
        );
      }
      return;
    }
    case 'check-content': {
      if (p.content === undefined) throw missing('content', cmd.name);
      const content = await st.platform.readComponent(ref);
      if (content === undefined || !same(content, p.content)) {
        throw new CommandFailure(
          'CONDITION_FAILED_CONTENT',
          'the component content differs from suit-parameter-content',
        );
      }
      return;
    }
    case 'abort':
      throw new CommandFailure('ABORTED', 'the manifest aborts here (suit-condition-abort)');
    default:
      throw new CommandFailure(
        'UNSUPPORTED_COMMAND',
        `condition ${cmd.name} (${cmd.code}) is not supported by this processor`,
      );
  }
}
