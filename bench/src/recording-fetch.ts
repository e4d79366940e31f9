// A `fetch` that sends nothing: it keeps each request a tRPC client makes through it and answers
// as a tRPC server would, so that the benchmark can take its requests from @todo/client itself
// (shapes.ts) instead of writing them by hand beside it.

/** One request as it would leave the process. */
export type RecordedRequest = {
  method: string;
  /** Path and query, as the request line carries them. */
  path: string;
  /** The headers the client set (names lower-cased, in name order): not the transport's own, such as user-agent. */
  headers: Record<string, string>;
  body: string | null;
};

const TRPC_PATH = '/api/trpc/';

/**
 * A success the client accepts, decided from what it sent: one result per call of a batch
 * (`/a,b?batch=1`, answered with an array), or one object for a single call.
 */
function answerFor(url: URL, headers: Headers): Response {
  // httpBatchStreamLink asks for JSON lines; its answer is a stream of its own format.
  if (headers.get('trpc-accept') === 'application/jsonl') {
    throw new Error(
      'the client asks for a streamed batch (trpc-accept: application/jsonl): the recording fetch answers plain JSON only',
    );
  }
  const done = { result: { data: null } };
  if (url.searchParams.get('batch') !== '1') return Response.json(done);
  const at = url.pathname.indexOf(TRPC_PATH);
  const calls = decodeURIComponent(url.pathname.slice(at + TRPC_PATH.length)).split(',');
  return Response.json(calls.map(() => done));
}

/**
 * A fetch for a tRPC client that records instead of sending; `take()` hands over what was
 * recorded since the last call.
 *
 * @example
 * const recorder = createRecordingFetch();
 * await createTodoClient({ url, token, fetch: recorder.fetch }).todo.list.query({ limit: 50 });
 * const [request] = recorder.take(); // { method: 'GET', path: '/api/trpc/todo.list?batch=1&input=…', … }
 */
export function createRecordingFetch() {
  const recorded: RecordedRequest[] = [];
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit) => {
    // As fetch itself would send it: the URL normalised, a string body's default content-type set.
    const request = new Request(input, init);
    const url = new URL(request.url);
    recorded.push({
      method: request.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      body: request.body === null ? null : await request.text(),
    });
    return answerFor(url, request.headers);
  };
  return { fetch: recordingFetch as typeof fetch, take: () => recorded.splice(0) };
}
