import { EXIT, type Command } from '../command.js';

/** `cairn up`: runs the platform. Until the server and signer land it shows what exists. */
export const upCommand: Command = {
  path: ['up'],
  summary: 'start the platform on localhost (signer, update server)',
  help: `Usage: cairn up

Starts the Cairn platform with embedded defaults. The signing service and update server
are not built yet; for now this lists the commands that work.

Exit codes: 0 ok`,
  options: {},
  run({ io }) {
    io.out(
      'cairn up: the signing service and update server are not part of this build yet.\n' +
        "Try 'cairn --help' for the commands available now, and 'npm test' to run the tests.\n",
    );
    return Promise.resolve(EXIT.OK);
  },
};
