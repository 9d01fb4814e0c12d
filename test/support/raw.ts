import { request } from 'node:http';

export type RawResponse = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

/**
 * A GET through node:http, which (unlike fetch) neither asks for nor undoes any content
 * encoding: the test sees the bytes and headers exactly as the server sent them.
 */
export function rawGet(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A PDF of about 200 KB that would shrink a lot if compressed (a download must still go out as it is). */
export function compressiblePdf(): Buffer {
  return Buffer.from(`%PDF-1.4\n%${'Hausordnung Rosenweg '.repeat(10_000)}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}
