import { BaseError } from '@cairn/core';
import { EXIT, parseCommandArgs, processIo, UsageError, type Command, type Io } from './command.js';
import { COMMANDS } from './commands/registry.js';

function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 4) + 2;
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}${c.summary}`);
  return `cairn — secure firmware updates: HSM-backed signing, PKI, OTA server, device agent

Usage: cairn <command> [options]     (cairn <command> --help for details)

Commands:
${lines.join('\n')}

Exit codes: 0 success · 1 the operation failed (verification failed, request denied)
            2 usage error · 3 environment problem (missing file, unreachable service, bad config)
`;
}

/** Find the command whose path is the longest prefix of argv. */
function resolve(argv: readonly string[]): { cmd: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((p, i) => argv[i] === p) && (!best || c.path.length > best.path.length))
      best = c;
  }
  return best ? { cmd: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    io.out(usage(COMMANDS));
    return EXIT.OK;
  }
  const found = resolve(argv);
  if (!found) {
    const group = COMMANDS.filter((c) => c.path[0] === first);
    if (group.length > 0) {
      io.err(`cairn ${first}: missing or unknown subcommand '${argv[1] ?? ''}'. One of:\n`);
      io.err(group.map((c) => `  cairn ${c.path.join(' ')}  ${c.summary}\n`).join(''));
    } else {
      io.err(`cairn: unknown command '${first}'. Run 'cairn --help' for the list.\n`);
    }
    return EXIT.USAGE;
  }
  const { cmd, rest } = found;
  try {
    const parsed = parseCommandArgs(cmd, rest);
    if (parsed['help']) {
      io.out(cmd.help.endsWith('\n') ? cmd.help : cmd.help + '\n');
      return EXIT.OK;
    }
    const { __positionals: positionals, ...values } = parsed;
    return await cmd.run({ io, values, positionals });
  } catch (err) {
    if (
      err instanceof UsageError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.err(`cairn ${cmd.path.join(' ')}: ${err.message}\n`);
      return EXIT.USAGE;
    }
    if (err instanceof BaseError) {
      io.err(`cairn ${cmd.path.join(' ')}: ${err.code}: ${err.message}\n`);
      return EXIT.FAILED;
    }
    throw err;
  }
}
