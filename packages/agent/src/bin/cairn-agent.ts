#!/usr/bin/env node
import { runAgentCli } from './main.js';

const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    stop.abort(new Error(`stopped by ${sig}`));
  });
}

runAgentCli(process.argv.slice(2), { signal: stop.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`cairn-agent: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
