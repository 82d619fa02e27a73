/** Raw (unbuffered) request bodies for uploads. */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Let `application/octet-stream` bodies through unparsed: routes read `req.raw`. */
export function acceptRawUploads(app: FastifyInstance): void {
  app.addContentTypeParser('application/octet-stream', (_req, _payload, done) => {
    done(null, undefined);
  });
}

/** The announced body length, if any. */
export function declaredLength(req: FastifyRequest): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined || !/^\d{1,16}$/.test(v)) return undefined;
  return Number(v);
}

/** An AbortSignal that fires when the client goes away before the response is sent. */
export function requestSignal(req: FastifyRequest): AbortSignal {
  const ac = new AbortController();
  req.raw.on('close', () => {
    if (!req.raw.complete) ac.abort(new Error('client closed the connection'));
  });
  return ac.signal;
}
