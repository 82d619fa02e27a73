export const USAGE = `cairn — secure firmware updates (signing, PKI, OTA, device agent)

Usage: cairn <command> [options]

Commands:
  suit decode FILE [--hex] [--json]        show a SUIT envelope in readable form
  suit verify FILE --key PEM [--hex]       verify a SUIT envelope's signature
  help                                     this text

Exit codes: 0 success, 1 verification or operation failed, 2 usage error.
`;

// eslint-disable-next-line @typescript-eslint/require-await -- commands will await
export async function main(argv: readonly string[]): Promise<number> {
  const [cmd] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cmd === 'up') {
    process.stdout.write(
      'cairn up: the platform command is not built yet (issue #7). Available commands:\n\n' + USAGE,
    );
    return 0;
  }
  process.stderr.write(`cairn: unknown command '${cmd}'. Run 'cairn --help'.\n`);
  return 2;
}
