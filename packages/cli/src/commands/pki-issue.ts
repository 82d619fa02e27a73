import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { MAX_CSR_BYTES, parseSubject, PROFILE_NAMES, type ProfileName } from '@cairn/pki';
import { EXIT, toJson, UsageError, type Command } from '../command.js';
import { emit, PKI_HELP, PKI_OPTIONS, withPki } from './pki-common.js';

/** `cairn pki issue`: a certificate for a key-store key or a CSR, by profile. */
export const pkiIssueCommand: Command = {
  path: ['pki', 'issue'],
  summary: 'issue a certificate (code-signing, device, tls-server, log)',
  help: `Usage: cairn pki issue --profile PROFILE (--key LABEL | --csr FILE) [--subject DN] [--san NAME]... [--days N] [--ca ID] [-o FILE] [--json]

Issues an end-entity certificate from the newest issuing CA (or --ca). The profile
decides every extension; a CSR only supplies its key (signature checked) and, without
--subject, its subject.

Options:
  --profile PROFILE   ${PROFILE_NAMES.join(' | ')}
  --key LABEL         certify a key in the key store
  --csr FILE          certify the key of a PKCS#10 request (PEM or DER, ≤ ${MAX_CSR_BYTES} bytes)
  --subject DN        'CN=name,O=org,OU=unit,C=DE' or just a name (the CN)
  --san NAME          DNS name or IP address (repeatable; tls-server needs one)
  --days N            validity in days (profile default and maximum apply)
  --ca ID             issuing CA id
  -o, --out FILE      write the PEM there (default: stdout)
  --json              print serial, subject, validity as JSON
${PKI_HELP}

Exit codes: 0 issued · 1 refused (PROFILE_VIOLATION, CSR_INVALID…) · 2 usage · 3 key store unavailable`,
  options: {
    ...PKI_OPTIONS,
    profile: { type: 'string' },
    key: { type: 'string' },
    csr: { type: 'string' },
    subject: { type: 'string' },
    san: { type: 'string', multiple: true },
    days: { type: 'string' },
    ca: { type: 'string' },
    out: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
  },
  run(ctx) {
    const v = ctx.values;
    const profile = v['profile'];
    if (typeof profile !== 'string' || !(PROFILE_NAMES as readonly string[]).includes(profile)) {
      throw new UsageError(`--profile must be one of ${PROFILE_NAMES.join(', ')}`);
    }
    const key = typeof v['key'] === 'string' ? v['key'] : undefined;
    const csrFile = typeof v['csr'] === 'string' ? v['csr'] : undefined;
    if ((key === undefined) === (csrFile === undefined))
      throw new UsageError('give exactly one of --key LABEL or --csr FILE');
    const subject = typeof v['subject'] === 'string' ? parseSubject(v['subject']) : undefined;
    if (typeof v['subject'] === 'string' && !subject)
      throw new UsageError(`--subject '${v['subject']}' is not 'CN=…,O=…,OU=…,C=…'`);
    if (key !== undefined && !subject) throw new UsageError('--subject is required with --key');
    const sans = Array.isArray(v['san'])
      ? v['san'].filter((s): s is string => typeof s === 'string')
      : [];
    const san = { dns: sans.filter((s) => isIP(s) === 0), ip: sans.filter((s) => isIP(s) !== 0) };
    let days: number | undefined;
    if (typeof v['days'] === 'string') {
      days = Number(v['days']);
      if (!Number.isInteger(days) || days < 1)
        throw new UsageError('--days must be a positive whole number');
    }
    let csr: Buffer | undefined;
    if (csrFile !== undefined) {
      const size = statSync(csrFile).size;
      if (size > MAX_CSR_BYTES)
        throw new UsageError(`--csr ${csrFile} is ${size} bytes: at most ${MAX_CSR_BYTES}`);
      csr = readFileSync(csrFile);
    }
    return withPki(ctx, 'pki issue', async (pki) => {
      const common = {
        profile: profile as ProfileName,
        ...(sans.length ? { san } : {}),
        ...(days !== undefined ? { validityDays: days } : {}),
        ...(typeof v['ca'] === 'string' ? { ca: v['ca'] } : {}),
      };
      const cert =
        csr !== undefined
          ? await pki.issueFromCsr({
              ...common,
              csr: csr.toString('latin1').includes('-----BEGIN')
                ? csr.toString('latin1')
                : new Uint8Array(csr),
              ...(subject ? { subject } : {}),
            })
          : await pki.issue({ ...common, keyLabel: key!, subject: subject! });
      const file = emit(ctx.io, v['out'], cert.pem);
      if (v['json']) {
        ctx.io.out(
          toJson({
            serial: cert.serial,
            profile: cert.profile,
            subject: cert.subject,
            ca: cert.caId,
            notBefore: cert.notBefore,
            notAfter: cert.notAfter,
            file: file ?? null,
          }),
        );
      } else if (file) {
        ctx.io.out(
          `issued ${cert.profile} certificate ${cert.serial} for ${cert.subject} → ${file}\n`,
        );
      }
      return EXIT.OK;
    });
  },
};
