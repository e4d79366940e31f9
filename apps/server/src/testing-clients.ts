/**
 * Many clients from one machine, for tests of per-client limits: Linux routes all of
 * 127.0.0.0/8 to the loopback interface, so a request sent from a chosen local address reaches
 * the server as that address's own peer. Test code only.
 */
import { request } from 'node:http';

export type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A JSON POST to `path` on `url`, sent from `localAddress` (e.g. 127.10.0.1). */
export function postFrom(
  localAddress: string,
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      new URL(path, url),
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', origin: new URL(url).origin, ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** An email and password sign-in from `localAddress`, with any extra headers (a spoofed one). */
export const signInFrom = (
  localAddress: string,
  url: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
) => postFrom(localAddress, url, '/api/auth/sign-in/email', { email, password }, headers);
