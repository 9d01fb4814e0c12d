/**
 * `npm run bench:upload-memory`: uploading a 50 MB PDF must not make the server hold it in
 * memory (issue 5: RSS growth < 30 MB). Not a unit test: it measures a real process.
 *
 * Recreates a small PostgreSQL database (BENCH_UPLOAD_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/hausportal_bench_upload) with the demo world, starts the
 * real server (`node src/server.ts`, production mode) as a child process, logs in as the demo
 * manager like a browser, and posts "Dokument hochladen" on Rosenweg 24
 * (POST /verwaltung/liegenschaften/:propertyId/dokumente, fields files, title, type,
 * share=property), the file streamed from disk (fs.openAsBlob). The server's RSS is sampled
 * from /proc every 20 ms; growth = peak during the upload − RSS before it (after a small
 * warm-up upload, so lazily loaded code does not count).
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, openOrm } from '../../src/db/orm.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/features/demo/seed.ts';
import { adminExecute, databaseUrl } from '../support/db.ts';
import { logIn, startServer, stopServer } from './server.ts';

const DATABASE_URL = process.env.BENCH_UPLOAD_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/hausportal_bench_upload';
const SIZE = 50 * 1024 * 1024;
const TARGET_MB = 30;

/** RSS of a process in bytes, from /proc (Linux). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** A valid-looking PDF of exactly `size` bytes, written to disk in 1 MB steps (never held whole). */
async function writePdf(file: string, size: number) {
  const head = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n', 'latin1');
  const tail = Buffer.from('\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const handle = await open(file, 'w');
  try {
    await handle.write(head);
    const chunk = Buffer.alloc(1024 * 1024, '% filler line of the memory bench\n');
    let left = size - head.length - tail.length;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      await handle.write(chunk, 0, n);
      left -= n;
    }
    await handle.write(tail);
  } finally {
    await handle.close();
  }
}

async function main() {
  const name = decodeURIComponent(new URL(DATABASE_URL).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  await adminExecute(databaseUrl(DATABASE_URL, 'postgres'), [`drop database if exists "${name}" with (force)`, `create database "${name}"`]);
  const orm = await openOrm({ kind: 'postgres', url: DATABASE_URL });
  let ids: { property: string; type: string };
  try {
    await migrate(orm);
    await seedDemo(orm.em.fork());
    const em = orm.em.fork();
    const [{ id: property }] = await em.execute<{ id: string }[]>(`select id from property where name = 'Rosenweg 24'`);
    const [{ id: type }] = await em.execute<{ id: string }[]>(
      `select t.id from document_type t join organization o on o.id = t.organization_id where o.name = 'Hausverwaltung Sonnenschein GmbH' and t.name = 'Hausordnung'`,
    );
    ids = { property, type };
  } finally {
    await orm.close();
  }

  const work = await mkdtemp(path.join(tmpdir(), 'hausportal-upload-bench-'));
  const server = await startServer(DATABASE_URL, { STORAGE_DIR: path.join(work, 'storage') });
  const { child, baseUrl, output } = server;
  try {
    const { cookie, token } = await logIn(baseUrl, 'verwaltung', 'verwalter@sonnenschein-hv.de', DEMO_PASSWORD);
    const upload = async (file: string, title: string) => {
      const form = new FormData();
      form.append('title', title);
      form.append('type', ids.type);
      form.append('share', 'property');
      form.append('files', await openAsBlob(file, { type: 'application/pdf' }), `${title}.pdf`);
      const response = await fetch(`${baseUrl}/verwaltung/liegenschaften/${ids.property}/dokumente?_csrf=${encodeURIComponent(token)}`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
        headers: { cookie, origin: baseUrl },
      });
      await response.arrayBuffer();
      return response.status;
    };

    const small = path.join(work, 'klein.pdf');
    await writePdf(small, 64 * 1024);
    const warmUp = await upload(small, 'Aufwärmen');
    if (warmUp !== 303) throw new Error(`warm-up upload answered ${warmUp}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const big = path.join(work, 'gross.pdf');
    await writePdf(big, SIZE - 1024);
    // Twice: the first upload also pays for one-time growth of the heap and the allocator,
    // the second shows whether memory grows with every upload.
    const mbOf = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    let failed = false;
    for (const round of [1, 2]) {
      const before = await rssOf(child.pid!);
      let peak = before;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, await rssOf(child.pid!).catch(() => peak));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const started = performance.now();
      const status = await upload(big, `Großes Dokument ${round}`);
      const took = performance.now() - started;
      sampling = false;
      await sampler;
      const growth = (peak - before) / 1024 / 1024;
      console.log(
        `Upload ${round} of a ${mbOf(SIZE - 1024)} MB PDF to POST /verwaltung/liegenschaften/:propertyId/dokumente: HTTP ${status} in ${(took / 1000).toFixed(1)} s`,
      );
      console.log(
        `  server RSS: ${mbOf(before)} MB before, peak ${mbOf(peak)} MB; growth ${growth.toFixed(1)} MB (target < ${TARGET_MB} MB) ${growth < TARGET_MB && status === 303 ? 'PASS' : 'FAIL'}`,
      );
      if (status !== 303 || growth >= TARGET_MB) failed = true;
    }
    if (failed) process.exitCode = 1;
  } finally {
    await stopServer(server);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
