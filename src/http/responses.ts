export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

/**
 * True when the request declares a Content-Length within `maxBytes` and no
 * other framing: Node's HTTP parser then delivers exactly that many bytes.
 */
export function withinDeclaredLength(request: Request, maxBytes: number): boolean {
  if (request.headers.has('transfer-encoding')) return false;
  const declared = request.headers.get('content-length');
  return declared !== null && /^\d{1,15}$/.test(declared) && Number(declared) <= maxBytes;
}

/** Reads a body up to `maxBytes`, refusing early on Content-Length and while streaming. */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new PayloadTooLargeError();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
