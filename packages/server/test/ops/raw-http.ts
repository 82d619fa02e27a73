/** One HTTP/1.1 request over a raw socket, returning the answer's exact bytes split up. */
import net from 'node:net';

export interface RawAnswer {
  readonly statusLine: string;
  /** Header lines as sent (name case and order kept), the Date line removed. */
  readonly headers: readonly string[];
  readonly body: string;
}

export async function rawRequest(url: string, lines: readonly string[]): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(`${lines.join('\r\n')}\r\nconnection: close\r\n\r\n`, 'latin1');
  await new Promise<void>((resolve, reject) => {
    socket.once('end', resolve);
    socket.once('error', reject);
  });
  socket.destroy();
  const text = Buffer.concat(chunks).toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...headers] = text.slice(0, split).split('\r\n');
  return {
    statusLine,
    headers: headers.filter((h) => !h.toLowerCase().startsWith('date:')),
    body: text.slice(split + 4),
  };
}
