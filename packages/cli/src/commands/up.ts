import { isCairnError, ValidationError } from '@cairn/core';
import { EXIT, type Command, type Io } from '../command.js';
import { loadPlatformConfig } from '../platform/config.js';
import { startPlatform, type PlatformInfo } from '../platform/bootstrap.js';

function nextSteps(info: PlatformInfo, dataOpt: string): string {
  const p = info.product;
  return `
Cairn is running.
  signing service  ${info.signerUrl}
  update server    ${info.serverUrl}   (hawkBit DDI: ${info.serverUrl}/DEFAULT/controller/v1/<id>)
  key store        ${info.keystore}

Credentials (0600 files; keep them secret):
  signer admin token         ${info.signerTokenFile}
  signer signing token       ${info.signingTokenFile}   (role 'signer' on worker ${info.worker})
  update server admin token  ${info.serverTokenFile}
  CA certificate (TLS and the product's trust anchor)  ${info.caFile}

Try next (in another terminal):
  npx cairn demo${dataOpt}                      # simulated devices: manual, OTA rollout, fallback, downgrade, tamper
  curl --cacert ${info.caFile} ${info.signerUrl}/healthz
  curl --cacert ${info.caFile} -H "Authorization: Bearer $(cat ${info.serverTokenFile})" ${info.serverUrl}/api/v1/products
  head -c 65536 /dev/urandom > fw.bin
  CAIRN_SIGNER_TOKEN=$(cat ${info.signingTokenFile}) npx cairn sign --signer ${info.signerUrl} --cacert ${info.caFile} \\
      --worker ${info.worker} --product ${p.vendorId}:${p.classId} --version 1.0.0 fw.bin -o fw.cairn
  npx cairn verify fw.cairn --anchor ${info.caFile} --log-key '${info.tlogVerifierKey}'

Stop with Ctrl-C; the next 'cairn up' reuses everything in the data directory.
`;
}

/** Wait for SIGINT or SIGTERM (or `signal`), then resolve. */
export function untilStopped(signal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const stop = (why: string) => (): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(why);
    };
    const onInt = stop('SIGINT');
    const onTerm = stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    signal?.addEventListener('abort', stop('abort'), { once: true });
  });
}

function reportConfigError(io: Io, err: unknown): number | undefined {
  if (err instanceof ValidationError) {
    io.err(`cairn up: ${err.message}\n`);
    for (const i of err.issues) io.err(`  ${i.path}: ${i.problem}\n`);
    return EXIT.ENVIRONMENT;
  }
  if (
    (err as NodeJS.ErrnoException).code === 'ENOENT' ||
    (err as NodeJS.ErrnoException).code === 'EACCES'
  ) {
    io.err(`cairn up: ${(err as Error).message}\n`);
    return EXIT.ENVIRONMENT;
  }
  return undefined;
}

/** `cairn up`: the whole platform on localhost, with our own PKI and TLS. */
export const upCommand: Command = {
  path: ['up'],
  summary: 'start the platform on localhost: signing service + update server, own PKI and TLS',
  help: `Usage: cairn up [--data DIR] [--config FILE]

Creates (first start) or reuses (later starts) in DIR: a key store (PKCS#11 when
CAIRN_PKCS11_MODULE is set, else the software keystore — not an HSM), a PKI (root and
issuing CA, TLS server certificates for localhost/127.0.0.1, a code-signing certificate
for the firmware key), the demo product whose trust anchor is the root CA, a signer
worker for it and admin API tokens (0600 files, shown once). Then runs the signing
service and the update server on 127.0.0.1 with TLS until Ctrl-C / SIGTERM.

  --data DIR     data directory (default $CAIRN_DATA or ./cairn-data)
  --config FILE  JSON settings (default DIR/cairn.json when it exists)

Settings (file, overridden by the environment), see packages/cli/README.md:
  signer.host/port [CAIRN_SIGNER_HOST/PORT, default 127.0.0.1:8443]
  server.host/port [CAIRN_SERVER_HOST/PORT, default 127.0.0.1:8444], server.pollingSleepSeconds
  product.id/name/vendorDomain/model, keystore.backend/module/tokenLabel/pinEnv
  [CAIRN_PKCS11_MODULE, CAIRN_PKCS11_TOKEN, PIN in CAIRN_PKCS11_PIN]

Exit codes: 0 stopped by a signal · 2 usage · 3 bad configuration, key store or port`,
  options: { data: { type: 'string' }, config: { type: 'string' } },
  async run({ io, values }) {
    let config;
    try {
      config = loadPlatformConfig({
        ...(typeof values['data'] === 'string' ? { dataDir: values['data'] } : {}),
        ...(typeof values['config'] === 'string' ? { configFile: values['config'] } : {}),
      });
    } catch (err) {
      const code = reportConfigError(io, err);
      if (code !== undefined) return code;
      throw err;
    }
    io.err(`cairn up: data directory ${config.dataDir}\n`);
    let platform;
    try {
      platform = await startPlatform(config, { io });
    } catch (err) {
      const code = reportConfigError(io, err);
      if (code !== undefined) return code;
      const e = err as NodeJS.ErrnoException;
      if (isCairnError(err) || e.code === 'EADDRINUSE' || e.code === 'EACCES') {
        io.err(
          `cairn up: cannot start: ${isCairnError(err) ? `${err.code}: ` : ''}${e.message}` +
            (e.code === 'EADDRINUSE'
              ? ' (another cairn up running? change signer.port / server.port)'
              : '') +
            '\n',
        );
        return EXIT.ENVIRONMENT;
      }
      throw err;
    }
    for (const s of platform.newSecrets) io.out(`new ${s}   (shown once; also in its 0600 file)\n`);
    const dataOpt = typeof values['data'] === 'string' ? ` --data ${config.dataDir}` : '';
    io.out(nextSteps(platform.info, dataOpt));
    const why = await untilStopped();
    io.err(`cairn up: ${why}: shutting down\n`);
    await platform.close();
    io.err('cairn up: stopped cleanly\n');
    return EXIT.OK;
  },
};
