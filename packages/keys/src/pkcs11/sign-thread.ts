// A sign thread (worker_threads) of a PKCS#11 store: C_SignInit + C_Sign off the main
// thread, on a session of its own. Cryptoki is one per process, so this thread shares the
// library state, the login and the object handles of the main thread's session pool. It
// never calls C_Finalize (that would end every session of the process).
import { parentPort, workerData } from 'node:worker_threads';
import { mechanismFor, nonNull } from './mechanisms.js';
import { ckrName, initialize, pkcs11js, SESSION_GONE, type Handle } from './module.js';
import {
  CLOSING,
  decodeJobs,
  encodeResults,
  GEN,
  REINIT,
  type DecodedJob,
  type FromThread,
  type Result,
  type SignThreadData,
  type ToThread,
} from './sign-protocol.js';

const port = parentPort!;
const { module, shared: sharedBuffer } = workerData as SignThreadData;
const shared = new Int32Array(sharedBuffer);
const lib = new pkcs11js.PKCS11();
const out = Buffer.alloc(512);
let session: Handle | undefined;
let sessionGen = -1;

const post = (m: FromThread, transfer?: ArrayBuffer[]): void => {
  port.postMessage(m, transfer);
};

function closeQuietly(s: Handle): void {
  try {
    lib.C_CloseSession(s);
  } catch {
    // already gone
  }
}

/**
 * Close our session unless the library was initialised again since it was opened: its
 * handle may name another thread's session now.
 */
function closeIfStillOurs(s: Handle): void {
  if (Atomics.load(shared, REINIT) <= sessionGen) closeQuietly(s);
}

function sign(job: DecodedJob): Uint8Array {
  // A job of an older generation holds handles that a re-initialised library may have
  // given to other sessions or objects: refuse it as a lost session so the pool retries.
  if (Atomics.load(shared, GEN) !== job.gen) throw new Error('CKR_SESSION_HANDLE_INVALID');
  if (session === undefined || sessionGen !== job.gen) {
    if (session !== undefined) closeIfStillOurs(session);
    session = undefined;
    session = lib.C_OpenSession(job.slot, pkcs11js.CKF_SERIAL_SESSION);
    sessionGen = job.gen;
  }
  const s = session;
  let active = false;
  try {
    lib.C_SignInit(s, mechanismFor(job.type), job.key);
    active = true;
    return new Uint8Array(lib.C_Sign(s, job.data.length > 0 ? job.data : nonNull(job.data), out));
  } catch (err) {
    const name = ckrName(err);
    if (name !== undefined && SESSION_GONE.has(name)) {
      session = undefined;
    } else if (active) {
      // the operation may still be active on this session: start over on a fresh one
      closeQuietly(s);
      session = undefined;
    }
    throw err;
  }
}

function run(buf: ArrayBuffer): void {
  const results: Result[] = [];
  for (const job of decodeJobs(buf)) {
    if (Atomics.load(shared, CLOSING) === 1) {
      results.push({ id: job.id, sig: undefined, error: 'the key store is closing' });
      continue;
    }
    try {
      results.push({ id: job.id, sig: sign(job), error: undefined });
    } catch (err) {
      const message = ckrName(err) ?? (err instanceof Error ? err.message : String(err));
      results.push({ id: job.id, sig: undefined, error: message });
    }
  }
  const packed = encodeResults(results);
  post({ t: 'results', buf: packed }, [packed]);
}

function close(): void {
  if (session !== undefined) closeIfStillOurs(session);
  session = undefined;
  port.close();
}

try {
  lib.load(module);
  initialize(lib);
  port.on('message', (m: ToThread) => {
    if (m.t === 'jobs') run(m.buf);
    else close();
  });
  post({ t: 'ready' });
} catch (err) {
  post({ t: 'failed', error: err instanceof Error ? err.message : String(err) });
  port.close();
}
