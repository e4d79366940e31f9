import negotiate from '@fastify/accept-negotiator';

/** The encodings the web build has a copy in, best first (vite-plugin-compression2 makes them). */
const PRECOMPRESSED = ['br', 'gzip', 'identity'] as const;

export type ContentEncoding = (typeof PRECOMPRESSED)[number];

/**
 * Which copy of a web build file to send for an `Accept-Encoding` header: the acceptable one with
 * the highest q, brotli before gzip when the client likes them equally; `q=0` refuses one. When
 * nothing listed is acceptable (or there is no header) the plain file goes out, as most servers
 * do, rather than a 406 that no browser expects.
 *
 * @example
 * contentEncoding('gzip, deflate, br'); // 'br'
 * contentEncoding('br;q=0, gzip');      // 'gzip'
 */
export function contentEncoding(acceptEncoding: string | undefined): ContentEncoding {
  return (acceptEncoding && negotiate(acceptEncoding, [...PRECOMPRESSED])) || 'identity';
}
