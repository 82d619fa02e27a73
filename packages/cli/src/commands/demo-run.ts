import { ApiError } from '../platform/api.js';
import { CRASH_MARKER, DemoDevice } from './demo-fleet.js';
import {
  Checks,
  makeImage,
  signImage,
  tamper,
  uploadRelease,
  type DemoContext,
} from './demo-steps.js';

interface ActionJson {
  readonly id: number;
  readonly status: string;
  readonly active: boolean;
  readonly releaseId: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}
interface RolloutJson {
  readonly id: number;
  readonly status: string;
  readonly pauseReason: string | null;
  readonly groups?: readonly { readonly status: string }[];
}

export interface DemoResult {
  readonly devices: DemoDevice[];
  readonly checks: Checks;
  readonly versions: { readonly v1: string; readonly v2: string; readonly v3: string };
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  fn: (x: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function deviceAction(ctx: DemoContext, id: string): Promise<ActionJson | undefined> {
  const list = await ctx.server.json<ActionJson[]>(
    'GET',
    `/api/v1/devices/${encodeURIComponent(id)}/actions`,
  );
  return list.reduce<ActionJson | undefined>(
    (a, b) => (a === undefined || b.id > a.id ? b : a),
    undefined,
  );
}

/** Poll every device until `done()` holds or the deadline passes; progress line per round. */
async function pollUntil(
  ctx: DemoContext,
  devices: readonly DemoDevice[],
  label: string,
  done: () => Promise<boolean>,
  onRound?: () => string,
): Promise<boolean> {
  for (let round = 1; ; round++) {
    await inBatches(devices, 8, async (d) => {
      const r = await d.poll(round);
      const o = r.outcome;
      if (o.kind === 'rejected') d.record.outcomes.push(`OTA rejected ${o.code}`);
      if (o.kind === 'failed')
        d.record.outcomes.push(
          `poll failed: ${o.error instanceof Error ? o.error.message : String(o.error)}`,
        );
      if (r.boot === 'fell-back') d.record.outcomes.push('trial boot failed → fell back');
      if (r.boot === 'committed')
        d.record.outcomes.push(`OTA committed ${await d.runningVersion()}`);
    });
    const finished = await done();
    const extra = onRound ? ` ${onRound()}` : '';
    ctx.io.err(`  ${label}: poll round ${round}${extra}\n`);
    if (finished) return true;
    if (Date.now() > ctx.deadline || round >= 40) return false;
  }
}

/** The scenarios: manual install, OTA rollout in two groups, fallback, downgrade, tamper. */
export async function runDemo(ctx: DemoContext, count: number): Promise<DemoResult> {
  const io = ctx.io;
  const checks = new Checks(io);
  const v1 = `1.0.0-${ctx.runId}`;
  const v2 = `1.1.0-${ctx.runId}`;
  const v3 = `1.2.0-${ctx.runId}`;

  // Fleet: N devices registered on the server, each with its own TargetToken.
  io.err(`\n== registering ${count} simulated devices (product ${ctx.info.product.id}) ==\n`);
  const ids = Array.from(
    { length: count },
    (_, i) => `demo-${ctx.runId}-${String(i + 1).padStart(3, '0')}`,
  );
  const group1 = Math.ceil((count - 1) / 2);
  const faultyIndex = count - 1; // a rev1 board: left out of the rollout (filter hw=rev2)
  const devices: DemoDevice[] = [];
  for (const [i, id] of ids.entries()) {
    const r = await ctx.server.json<{ targetToken: string }>('POST', '/api/v1/devices', {
      controllerId: id,
      productId: ctx.info.product.id,
      attributes: { demo_run: ctx.runId, hw: i === faultyIndex ? 'rev1' : 'rev2' },
    });
    devices.push(
      await DemoDevice.create({
        id,
        group: i === faultyIndex ? 0 : i < group1 ? 1 : 2,
        faulty: i === faultyIndex,
        token: r.targetToken,
        info: ctx.info,
        caPem: ctx.caPem,
        seed: i + 1,
      }),
    );
  }
  io.err(
    `  ${count} devices, factory image in slot A; ${ids[faultyIndex]} is a rev1 board whose boot of ${v2} will crash\n`,
  );

  // (a) manual install from a .cairn file written by `cairn sign`.
  io.err(`\n== (a) manual install of ${v1} from a .cairn file (USB stick) ==\n`);
  const bundle1 = await signImage(ctx, makeImage(ctx, v1), v1);
  const rel1 = await uploadRelease(ctx, bundle1, v1);
  const manual = devices[0]!;
  const m = await manual.installFile(bundle1);
  manual.record.outcomes.push(
    m.code ? `manual rejected ${m.code}` : `manual ${v1} ${m.boot ?? ''}`,
  );
  checks.expect(
    `manual install of ${v1} on ${manual.record.id} commits`,
    m.boot === 'committed' && (await manual.runningVersion()) === v1,
    m.code ?? m.boot ?? '',
  );

  // (b) + (c) OTA rollout in two groups; the rev1 device's trial boot fails and falls back.
  io.err(`\n== (b) OTA rollout of ${v2} in two groups (devices with hw=rev2) ==\n`);
  const bundle2 = await signImage(ctx, makeImage(ctx, v2, ` ${CRASH_MARKER}`), v2);
  const rel2 = await uploadRelease(ctx, bundle2, v2);
  const created = await ctx.server.json<RolloutJson>('POST', '/api/v1/rollouts', {
    name: `demo ${ctx.runId}`,
    releaseId: rel2.id,
    filter: `demo_run=${ctx.runId} and hw=rev2`,
    groups: 2,
    successThreshold: 100,
    errorThreshold: 10,
    type: 'forced',
  });
  await ctx.server.json('POST', `/api/v1/rollouts/${created.id}/start`);
  let rollout = created;
  const fleet = devices.filter((d) => !d.record.faulty);
  const settled = await pollUntil(
    ctx,
    fleet,
    `rollout ${created.id}`,
    async () => {
      rollout = await ctx.server.json<RolloutJson>('GET', `/api/v1/rollouts/${created.id}`);
      if (rollout.status === 'finished') return true;
      const acts = await Promise.all(fleet.map((d) => deviceAction(ctx, d.record.id)));
      return rollout.status === 'paused' || rollout.status === 'stopped'
        ? acts.every((a) => !a?.active)
        : false;
    },
    () => {
      const g = rollout.groups?.map((x, i) => `group ${i + 1} ${x.status}`).join(', ') ?? '';
      const committed = devices.filter((d) => d.record.committedRound !== undefined).length;
      return `— rollout ${rollout.status}${g ? ` (${g})` : ''}; ${committed}/${count} on ${v2}`;
    },
  );
  checks.expect(
    `rollout ${created.id} finished`,
    settled && rollout.status === 'finished',
    `status ${rollout.status}${rollout.pauseReason ? `: ${rollout.pauseReason}` : ''}`,
  );
  // Ordering from the server's own records: every group-2 action was created after the
  // last group-1 action had been closed by its device's report.
  const rolloutActions = await Promise.all(
    fleet.map(async (d) => {
      const list = await ctx.server.json<ActionJson[]>(
        'GET',
        `/api/v1/devices/${encodeURIComponent(d.record.id)}/actions`,
      );
      return { group: d.record.group, action: list.find((a) => a.releaseId === rel2.id) };
    }),
  );
  const g1Closed = rolloutActions
    .filter((x) => x.group === 1)
    .map((x) => x.action?.updatedAt ?? '~')
    .sort()
    .at(-1)!;
  const g2Created = rolloutActions
    .filter((x) => x.group === 2)
    .map((x) => x.action?.createdAt ?? '')
    .sort()[0];
  checks.expect(
    'group 2 started only after every device of group 1 had reported success',
    g2Created === undefined || g2Created >= g1Closed,
    `last group-1 action closed ${g1Closed}, first group-2 action created ${g2Created ?? '-'}`,
  );
  const healthy = devices.filter((d) => !d.record.faulty);
  const onV2 = (
    await Promise.all(healthy.map(async (d) => (await d.runningVersion()) === v2))
  ).filter(Boolean).length;
  checks.expect(
    `every healthy device runs ${v2}`,
    onV2 === healthy.length,
    `${onV2}/${healthy.length}`,
  );
  // (c) the rev1 board gets the same release directly: its trial boot crashes, it falls back.
  io.err(`\n== (c) ${v2} assigned to the rev1 board: its trial boot fails ==\n`);
  const faulty = devices[faultyIndex]!;
  await ctx.server.json('POST', `/api/v1/devices/${encodeURIComponent(faulty.record.id)}/actions`, {
    releaseId: rel2.id,
    type: 'forced',
  });
  await pollUntil(ctx, [faulty], faulty.record.id, async () => {
    const a = await deviceAction(ctx, faulty.record.id);
    return a !== undefined && !a.active;
  });
  const fAct = await deviceAction(ctx, faulty.record.id);
  const fLog = await faulty.device.agent.log();
  checks.expect(
    `${faulty.record.id}: trial boot failed, fell back to the factory image, server action closed with error`,
    (await faulty.runningVersion()) === 'factory' &&
      fAct?.status === 'error' &&
      fLog.some((e) => e.event === 'FELL_BACK'),
    `running ${await faulty.runningVersion()}, action ${fAct?.status ?? 'none'}, log ${fLog.map((e) => e.event).join(' ')}`,
  );
  const okActions = await Promise.all(healthy.map((d) => deviceAction(ctx, d.record.id)));
  checks.expect(
    "the server shows every healthy device's action finished",
    okActions.every((a) => a?.status === 'finished' && a.releaseId === rel2.id),
    okActions.map((a) => a?.status ?? 'none').join(','),
  );

  // (d) downgrade over OTA: the older release, validly signed, assigned to a device on v2.
  io.err(`\n== (d) downgrade attempt and tampered image ==\n`);
  const victim = devices[1] ?? devices[0]!;
  const act = await ctx.server.json<ActionJson>(
    'POST',
    `/api/v1/devices/${encodeURIComponent(victim.record.id)}/actions`,
    { releaseId: rel1.id, type: 'forced' },
  );
  const cycle = await victim.poll(99);
  const downgradeCode = cycle.outcome.kind === 'rejected' ? cycle.outcome.code : cycle.outcome.kind;
  victim.record.outcomes.push(`downgrade to ${v1} rejected: ${downgradeCode}`);
  const dAct = await ctx.server.json<ActionJson>('GET', `/api/v1/actions/${act.id}`);
  const dLog = await victim.device.agent.log();
  checks.expect(
    `${victim.record.id} refuses ${v1} (sequence ${rel1.sequenceNumber} < ${rel2.sequenceNumber}): DOWNGRADE, action closed with error, install log records it`,
    downgradeCode === 'DOWNGRADE' &&
      dAct.status === 'error' &&
      dLog.some((e) => e.event === 'REJECTED' && e.code === 'DOWNGRADE') &&
      (await victim.runningVersion()) === v2,
    `code ${downgradeCode}, action ${dAct.status}`,
  );

  // Tampered: a validly signed v3 whose payload was altered after signing.
  const bundle3 = await signImage(ctx, makeImage(ctx, v3), v3);
  const bad = tamper(bundle3);
  let refused = '';
  try {
    await uploadRelease(ctx, bad, v3);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const code = err.details?.['errorCode'];
    refused = typeof code === 'string' ? code : err.code;
  }
  checks.expect(
    'the update server refuses the tampered bundle on upload',
    refused !== '',
    refused || 'it was accepted',
  );
  const target = devices[2] ?? devices[0]!;
  const t = await target.installFile(bad);
  target.record.outcomes.push(`tampered file rejected: ${t.code ?? 'NOT REJECTED'}`);
  const tLog = await target.device.agent.log();
  checks.expect(
    `${target.record.id} refuses the tampered file from USB, keeps running ${await target.runningVersion()}, install log records it`,
    t.code !== undefined &&
      tLog.some((e) => e.event === 'REJECTED' && e.code === t.code) &&
      (await target.runningVersion()) === (target.record.faulty ? 'factory' : v2),
    t.code ?? '',
  );
  return { devices, checks, versions: { v1, v2, v3 } };
}
