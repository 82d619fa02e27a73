/**
 * A cheap HTTP/1.1 load generator for the DDI poll bench: raw keep-alive sockets, one
 * request in flight per connection (no pipelining), every request pre-built as bytes.
 * Each response is read whole (status line, headers, Content-Length bytes of body) and
 * its status checked; every 1024th body is also parsed as JSON and checked to be a
 * controllerBase answer. Anything else (a chunked or length-less response, a malformed
 * status line, a closed connection) counts as an error.
 */
import net from 'node:net';

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  /** Path prefix before /{tenant}/… ('' for none). */
  readonly prefix: string;
  readonly devices: number;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /**
   * Poll every device exactly once, in a random order, then stop (no warm-up; `seconds`
   * is ignored and the result's `seconds` is how long it took). The bench uses it to
   * make every device's first poll before the measured rounds.
   */
  readonly once?: boolean;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  /** Sampled bodies that were not a controllerBase answer. */
  readonly badBodies: number;
  /** Responses over the whole run, warm-up included (to divide the server's CPU time by). */
  readonly total: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** Content-Length from a header block (lower-cased latin1), or -1 when absent. */
function contentLength(head: string): number {
  const at = head.indexOf('\r\ncontent-length:');
  if (at < 0) return -1;
  const end = head.indexOf('\r\n', at + 2);
  const n = Number(head.slice(at + 17, end < 0 ? undefined : end).trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

function isControllerBase(body: Buffer): boolean {
  try {
    const j = JSON.parse(body.toString('utf8')) as { config?: { polling?: { sleep?: unknown } } };
    return typeof j.config?.polling?.sleep === 'string';
  } catch {
    return false;
  }
}

export async function runPollLoad(o: LoadOptions): Promise<LoadResult> {
  const requests: Buffer[] = [];
  for (let i = 0; i < o.devices; i++) {
    requests.push(
      Buffer.from(
        `GET ${o.prefix}/DEFAULT/controller/v1/dev-${i} HTTP/1.1\r\nhost: ${o.host}:${o.port}\r\n` +
          `authorization: TargetToken tok-${i}\r\n\r\n`,
        'latin1',
      ),
    );
  }
  const once = o.once === true;
  // a random permutation of the devices for `once` (Fisher-Yates)
  const order = once ? Array.from({ length: o.devices }, (_, i) => i) : [];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  let next = 0;
  let counting = once;
  let stop = false;
  let ok = 0;
  let errors = 0;
  let badBodies = 0;
  let sampled = 0;
  let total = 0;

  const connection = (): Promise<void> =>
    new Promise((resolve) => {
      const sock = net.connect(o.port, o.host);
      sock.setNoDelay(true);
      let pending: Buffer | undefined;
      let bodyAt = -1; // offset of the body in `pending`, once the header block is complete
      let need = 0; // total bytes of the current response (header + body)
      let status = 0;
      let failed = false;
      const fail = (): void => {
        if (!stop && !failed) errors++;
        failed = true;
        sock.destroy();
      };
      const send = (): void => {
        if (stop || (once && next >= order.length)) {
          sock.end();
          return;
        }
        const i = once ? (order[next++] as number) : Math.floor(Math.random() * o.devices);
        sock.write(requests[i] ?? Buffer.alloc(0));
      };
      sock.on('connect', send);
      sock.on('data', (chunk: Buffer) => {
        pending = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
        if (bodyAt < 0) {
          const end = pending.indexOf(HEADER_END);
          if (end < 0) {
            if (pending.length > MAX_HEADER_BYTES) fail();
            return;
          }
          const head = pending.toString('latin1', 0, end).toLowerCase();
          status = head.startsWith('http/1.1 ') ? Number(head.slice(9, 12)) : 0;
          const length = contentLength(head);
          if (status === 0 || length < 0) {
            fail();
            return;
          }
          bodyAt = end + 4;
          need = bodyAt + length;
        }
        if (pending.length < need) return;
        if (pending.length > need) {
          fail(); // bytes beyond the one response in flight
          return;
        }
        total++;
        if (counting) {
          if (status === 200) ok++;
          else errors++;
          if ((++sampled & 1023) === 0 && !isControllerBase(pending.subarray(bodyAt))) badBodies++;
        }
        pending = undefined;
        bodyAt = -1;
        send();
      });
      sock.on('error', fail);
      sock.on('close', () => {
        if (!stop && !failed && !(once && next >= order.length)) errors++; // closed mid-run
        resolve();
      });
    });

  if (once) {
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: o.connections }, connection));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { requests: ok, errors, seconds, badBodies, total };
  }
  const loops = Array.from({ length: o.connections }, connection);
  await new Promise((r) => setTimeout(r, o.warmupSeconds * 1000));
  counting = true;
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, o.seconds * 1000));
  counting = false;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  stop = true;
  await Promise.all(loops);
  return { requests: ok, errors, seconds, badBodies, total };
}
