import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

// A browser elsewhere, as a child process of a test (test/integration/serial-letters-hostile.test.ts,
// test/integration/pdf-drawing.test.ts): it posts a form (an upload, or a plain form) and,
// until the answer is in, asks /healthz every 200 ms, timing each answer. It must be another
// process: a client on the test's own thread would stall together with the server it
// measures, and a stalled request would look fast.
//
// Arguments: the form's URL, the /healthz URL, cookie and origin headers, the file to send
// ("-" for a plain form without a file, sent urlencoded) and the other fields as JSON.
// Prints { status, location, ms, text, healthz: [{ status, ms }] } as JSON (ms: until the answer).

const [url, healthzUrl, cookie, origin, file, fields] = process.argv.slice(2);

const values = JSON.parse(fields) as Record<string, string>;
const form = new FormData();
for (const [name, value] of Object.entries(values)) form.append(name, value);
if (file !== '-') form.append('file', new Blob([readFileSync(file)], { type: 'application/pdf' }), 'Rundschreiben.pdf');
const encoded = file === '-' ? new Response(new URLSearchParams(values)) : new Response(form);
const bytes = new Uint8Array(await encoded.arrayBuffer());

// Sent as over a fast network, 1 MB every 20 ms, not at the speed of the loopback interface.
let sent = 0;
const body = new ReadableStream<Uint8Array>({
  async pull(stream) {
    if (sent >= bytes.length) return stream.close();
    const from = sent;
    sent += 1 << 20;
    stream.enqueue(bytes.subarray(from, sent));
    await sleep(20);
  },
});

// One request first, not counted: this process's first fetch sets up its HTTP client and connection.
await (await fetch(healthzUrl)).text();

let answer: { status: number; location: string | null; ms: number; text: string } | undefined;
const posted = performance.now();
const answered = fetch(url, {
  method: 'POST',
  body,
  duplex: 'half',
  headers: { cookie, origin, 'content-type': encoded.headers.get('content-type')! },
  redirect: 'manual',
} as RequestInit).then(
  async (response) =>
    (answer = { status: response.status, location: response.headers.get('location'), ms: performance.now() - posted, text: await response.text() }),
);

const healthz: Array<{ status: number; ms: number }> = [];
while (!answer) {
  const start = performance.now();
  // A request the server could not take (a dropped connection) is recorded as status 0.
  const status = await fetch(healthzUrl).then(
    async (response) => {
      await response.text();
      return response.status;
    },
    () => 0,
  );
  healthz.push({ status, ms: performance.now() - start });
  await Promise.race([sleep(200), answered]);
}
process.stdout.write(JSON.stringify({ ...answer, healthz }));
