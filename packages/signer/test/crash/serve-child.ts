// Child process for the crash test: runs the signing service on loopback until killed.
// argv: DATA_DIR. Prints "READY <url>" on stdout once listening.
import { loadSignerConfig, serveSigner } from '@cairn/signer';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: serve-child DATA_DIR');
const config = loadSignerConfig(dataDir, undefined, {
  CAIRN_SIGNER_HOST: '127.0.0.1',
  CAIRN_SIGNER_PORT: '0',
});
const running = await serveSigner(
  { ...config, tls: { ...config.tls, enabled: false } },
  { logger: false },
);
process.stdout.write(`READY ${running.url}\n`);
