/**
 * `cairn rollout create|start|pause|resume|stop|approve|status`: staged rollouts on the
 * update server's management API (the token needs the operator role; approve: admin).
 */
import { EXIT, toJson, UsageError, type Command, type CommandContext } from '../command.js';
import { SERVER_HELP, SERVER_OPTIONS, serverClient } from './server-client.js';

interface Group {
  index: number;
  status: string;
  total: number;
  counts: Record<string, number>;
}
interface RolloutView {
  id: number;
  name: string;
  status: string;
  totalDevices: number;
  pauseReason: string | null;
  groups?: Group[];
}

const EXITS = 'Exit codes: 0 ok · 1 refused by the server · 2 usage · 3 server unavailable';
const TERMINAL = new Set(['finished', 'stopped', 'approval_denied']);

function rolloutId(ctx: CommandContext): string {
  const id = ctx.positionals[0] ?? '';
  if (!/^\d{1,15}$/.test(id)) throw new UsageError(`rollout ID must be a number, got "${id}"`);
  return id;
}

function int(ctx: CommandContext, name: string): number | undefined {
  const v = ctx.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v))
    throw new UsageError(`--${name} must be a whole number, got "${String(v)}"`);
  return Number(v);
}

export function formatRollout(r: RolloutView): string {
  const lines = [`rollout ${r.id} "${r.name}": ${r.status} (${r.totalDevices} devices)`];
  if (r.pauseReason !== null) lines.push(`  paused: ${r.pauseReason}`);
  for (const g of r.groups ?? []) {
    const c = g.counts;
    const done =
      (c['finished'] ?? 0) + (c['error'] ?? 0) + (c['canceled'] ?? 0) + (c['skipped'] ?? 0);
    const pct = g.total === 0 ? 100 : Math.round((100 * (c['finished'] ?? 0)) / g.total);
    lines.push(
      `  group ${g.index + 1}: ${g.status.padEnd(9)} ${done}/${g.total} done, ${pct}% ok (finished ${c['finished'] ?? 0}, error ${c['error'] ?? 0}, running ${c['running'] ?? 0}, not started ${c['notStarted'] ?? 0}, canceled ${c['canceled'] ?? 0}, skipped ${c['skipped'] ?? 0})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function print(ctx: CommandContext, r: RolloutView): number {
  ctx.io.out(ctx.values['json'] ? toJson(r) : formatRollout(r));
  return EXIT.OK;
}

export const rolloutCreateCommand: Command = {
  path: ['rollout', 'create'],
  summary: 'create a staged rollout of a release',
  help: `Usage: cairn rollout create --release ID --groups N [options] [server options]

Options:
  --name TEXT               rollout name (default "release <ID>")
  --release ID              release to roll out (required)
  --filter EXPR             device attributes, e.g. 'hw=rev2 and (region=eu or region="us")'
  --groups N                number of equal groups (default 1)
  --success-threshold PCT   % finished in a group before the next starts (default 80)
  --error-threshold PCT     % failed in a group beyond which the rollout pauses (default 20)
  --type T                  forced | soft | downloadonly (default forced)
  --start-at ISO            start by itself at this time (once ready)
  --require-approval        an admin other than you must approve before it starts

${SERVER_HELP}

${EXITS}`,
  options: {
    name: { type: 'string' },
    release: { type: 'string' },
    filter: { type: 'string' },
    groups: { type: 'string' },
    'success-threshold': { type: 'string' },
    'error-threshold': { type: 'string' },
    type: { type: 'string' },
    'start-at': { type: 'string' },
    'require-approval': { type: 'boolean' },
    ...SERVER_OPTIONS,
  },
  async run(ctx) {
    const release = int(ctx, 'release');
    if (release === undefined) throw new UsageError('--release ID is required');
    const v = ctx.values;
    const groups = int(ctx, 'groups');
    const success = int(ctx, 'success-threshold');
    const error = int(ctx, 'error-threshold');
    const body = {
      name: typeof v['name'] === 'string' ? v['name'] : `release ${release}`,
      releaseId: release,
      ...(typeof v['filter'] === 'string' ? { filter: v['filter'] } : {}),
      ...(groups === undefined ? {} : { groups }),
      ...(success === undefined ? {} : { successThreshold: success }),
      ...(error === undefined ? {} : { errorThreshold: error }),
      ...(typeof v['type'] === 'string' ? { type: v['type'] } : {}),
      ...(typeof v['start-at'] === 'string' ? { startAt: v['start-at'] } : {}),
      ...(v['require-approval'] === true ? { requireApproval: true } : {}),
    };
    return print(
      ctx,
      (await serverClient(ctx).request('POST', '/api/v1/rollouts', body)) as RolloutView,
    );
  },
};

function opCommand(
  op: 'start' | 'pause' | 'resume' | 'stop' | 'approve',
  summary: string,
): Command {
  return {
    path: ['rollout', op],
    summary,
    help: `Usage: cairn rollout ${op} ID${op === 'approve' ? ' [--deny] [--remark TEXT]' : ''} [server options]

${summary[0]?.toUpperCase() ?? ''}${summary.slice(1)}.${op === 'stop' ? ' Open actions are canceled (devices see cancelAction).' : ''}${op === 'approve' ? ' Needs the admin role; the creator of a rollout cannot approve it.' : ''}

${SERVER_HELP}

${EXITS}`,
    options: {
      ...(op === 'approve' ? { deny: { type: 'boolean' }, remark: { type: 'string' } } : {}),
      ...SERVER_OPTIONS,
    },
    positionals: [1, 1],
    async run(ctx) {
      const id = rolloutId(ctx);
      const body =
        op === 'approve'
          ? {
              decision: ctx.values['deny'] === true ? 'deny' : 'approve',
              ...(typeof ctx.values['remark'] === 'string' ? { remark: ctx.values['remark'] } : {}),
            }
          : undefined;
      return print(
        ctx,
        (await serverClient(ctx).request(
          'POST',
          `/api/v1/rollouts/${id}/${op}`,
          body,
        )) as RolloutView,
      );
    },
  };
}

export const rolloutStartCommand = opCommand('start', 'start a ready rollout now');
export const rolloutPauseCommand = opCommand('pause', 'pause a running rollout');
export const rolloutResumeCommand = opCommand('resume', 'resume a paused rollout');
export const rolloutStopCommand = opCommand('stop', 'stop a rollout for good');
export const rolloutApproveCommand = opCommand(
  'approve',
  'approve (or --deny) a rollout waiting for approval',
);

export const rolloutStatusCommand: Command = {
  path: ['rollout', 'status'],
  summary: 'show a rollout with per-group progress',
  help: `Usage: cairn rollout status ID [--watch] [--interval SECONDS] [--max-wait SECONDS] [--json] [server options]

  --watch              print progress until the rollout is finished, stopped or denied
  --interval SECONDS   between polls with --watch (default 5)
  --max-wait SECONDS   stop watching after this long (default 3600; exit 1 if not done)

${SERVER_HELP}

${EXITS}`,
  options: {
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    'max-wait': { type: 'string' },
    ...SERVER_OPTIONS,
  },
  positionals: [1, 1],
  async run(ctx) {
    const id = rolloutId(ctx);
    const client = serverClient(ctx);
    const get = async () => (await client.request('GET', `/api/v1/rollouts/${id}`)) as RolloutView;
    if (ctx.values['watch'] !== true) return print(ctx, await get());
    const interval = (int(ctx, 'interval') ?? 5) * 1000;
    const deadline = Date.now() + (int(ctx, 'max-wait') ?? 3600) * 1000;
    let last = '';
    for (;;) {
      const r = await get();
      const text = ctx.values['json'] ? toJson(r) : formatRollout(r);
      if (text !== last) ctx.io.out(text);
      last = text;
      if (TERMINAL.has(r.status)) return EXIT.OK;
      if (Date.now() + interval > deadline) {
        ctx.io.err(`rollout ${id} is still ${r.status} after --max-wait; stopped watching\n`);
        return EXIT.FAILED;
      }
      await new Promise((res) => setTimeout(res, interval));
    }
  },
};
