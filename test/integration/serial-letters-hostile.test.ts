import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Document, SerialLetter, SerialLetterPart } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client, Page } from '../support/client.ts';
import { filesUnder } from '../support/files.ts';
import { expectHealthzAnswering, HEALTHZ_TYPICAL_MS, postWatchingHealthz } from '../support/healthz.ts';

// Issue 14: a damaged PDF must not stall the server. SmartPost reads PDFs in worker threads
// (src/pdf/workers.ts) with a time and a heap bound; pdf.js opens each file first and refuses
// what it cannot read at once. This app's time bound is lowered to 2 seconds so that the
// slow file below (one pdf.js reads, pdf-lib struggles with) runs into it quickly. Before
// the workers the server did not answer for 13 s (3 MB) and 57 s (10 MB) while pdf-lib read
// the damaged file.

const SECONDS = 2;
const BASE = '/verwaltung/smartpost';
const all = { filters: { tenant: false } } as const;
const UNREADABLE_MESSAGE = 'Das PDF lässt sich nicht lesen (beschädigt oder verschlüsselt).';
const TIME_LIMIT_MESSAGE =
  'Das PDF ließ sich nicht innerhalb von 2 Sekunden verarbeiten; es ist beschädigt oder zu umfangreich. Bitte speichern Sie es neu als PDF oder teilen Sie es in kleinere Dateien auf.';

let app: TestApp;
let manager: Client;
beforeAll(async () => {
  app = await startTestApp({ env: { PDF_JOB_SECONDS: String(SECONDS) } });
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
});
afterAll(() => app?.close());

/** The damaged PDF of the issue: a header, half a catalog, then `size` bytes of "A" that pdf-lib reads for minutes, pdf.js refuses at once. */
const damagedPdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\n'), Buffer.alloc(size, 'A')]);

/** A good serial letter: one two-page letter to Kristina Maiblume. */
async function goodPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of [['Frau', 'Kristina Maiblume', 'Max-Planck-Str. 12', '80638 München', '', 'Sehr geehrte Frau Maiblume,'], ['Seite 2 von 2']]) {
    const page = pdf.addPage([595.28, 841.89]);
    lines.forEach((line, i) => {
      page.drawText(line, { x: 70, y: 720 - i * 14, size: 10, font });
    });
  }
  return Buffer.from(await pdf.save());
}

/**
 * A readable PDF that takes long: the good letter with `size` bytes of "A" between its header
 * and its first object. pdf.js finds the objects at once (it rebuilds the cross-reference
 * table that the junk has shifted); pdf-lib parses the junk for many seconds (3 MB: over 15).
 */
async function slowPdf(size: number): Promise<Buffer> {
  const good = await goodPdf();
  const afterHeader = good.indexOf('\n', good.indexOf('\n') + 1) + 1;
  return Buffer.concat([good.subarray(0, afterHeader), Buffer.alloc(size, 'A'), Buffer.from('\n'), good.subarray(afterHeader)]);
}

async function typeId() {
  const page = await manager.get(`${BASE}/neu`);
  return page
    .$('#serial-letter-type option')
    .filter((_, o) => page.$(o).text().trim() === 'Serienbriefe')
    .attr('value')!;
}

async function upload(content: Buffer, title: string): Promise<Page> {
  const fields = { typeId: await typeId(), title, split: 'address', dispatch: 'preference' };
  return manager.postMultipart(BASE, fields, [{ name: `${title}.pdf`, type: 'application/pdf', content }], 'file');
}

/** Posts the upload form from another process, which times /healthz until the answer is in (test/support/healthz.ts). */
async function uploadWatchingHealthz(content: Buffer, title: string) {
  return postWatchingHealthz(app, manager, BASE, { typeId: await typeId(), title, split: 'address', dispatch: 'preference' }, content);
}

async function state() {
  const em = app.em();
  return {
    serialLetters: await em.count(SerialLetter, {}, all),
    documents: await em.count(Document, {}, all),
    files: await filesUnder(app.storageDir),
  };
}

/** Waits (at most 5 seconds) until `probe` returns something. */
async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(20);
  }
  throw new Error('waited in vain');
}

describe('the time bound of a PDF job', () => {
  // First in this file: the pool has no worker yet, so the one that appears runs this job.
  it('ends the job and its worker thread; the next serial letter is read by a new worker', async () => {
    expect(app.app.pdfWorkers.threads()).toEqual([]);
    const before = await state();
    const refusal = upload(await slowPdf(3_000_000), 'Langsam');
    const worker: Worker = await until(() => app.app.pdfWorkers.threads()[0]);
    const exited = once(worker, 'exit');

    const refused = await refusal;
    expect(refused.status).toBe(422);
    expect(refused.$('#file-error').text()).toBe(TIME_LIMIT_MESSAGE);
    // Terminated, not merely ignored: the thread that was reading the PDF has ended.
    await exited;
    expect(app.app.pdfWorkers.threads()).not.toContain(worker);
    expect(await state()).toEqual(before);

    const accepted = await upload(await goodPdf(), 'Heizung');
    expect(accepted.status, accepted.$('.field-error').text()).toBe(303);
    const id = accepted.location!.replace(`${BASE}/`, '');
    const parts = await app.em().find(SerialLetterPart, { serialLetter: id }, { ...all, populate: ['contact'] });
    expect(parts.map((p) => [p.firstPage, p.lastPage, p.contact?.lastName])).toEqual([[1, 2, 'Maiblume']]);
    expect(app.app.pdfWorkers.threads()).toHaveLength(1);
    expect(app.app.pdfWorkers.threads()[0]).not.toBe(worker);
  });
});

describe('a damaged PDF is refused at once', () => {
  for (const [what, size] of [
    ['3 MB', 3_000_000],
    ['10 MB', 10_000_000],
  ] as const) {
    it(`${what}: as unreadable (pdf.js refuses it, long before the time bound), the form kept, nothing stored, /healthz answering`, async () => {
      const before = await state();
      const { page: refused, healthz } = await uploadWatchingHealthz(damagedPdf(size), 'Rundschreiben');
      expectHealthzAnswering(healthz);

      expect(refused.status).toBe(422);
      expect(refused.$('#file-error').text()).toBe(UNREADABLE_MESSAGE);
      expect(refused.$('#serial-letter-title').val()).toBe('Rundschreiben');
      expect(refused.$('input[name=dispatch][value=preference]').attr('checked')).toBeDefined();
      // No row, no stored file and nothing left in the temp folder.
      expect(await state()).toEqual(before);
    });
  }
});

describe('a PDF that takes long to read does not stall the server', () => {
  it(`/healthz keeps answering (typically within ${HEALTHZ_TYPICAL_MS} ms, never near a second) until the time bound refuses it, with the message at the field, the form kept, nothing stored`, async () => {
    const before = await state();
    const { page: refused, healthz } = await uploadWatchingHealthz(await slowPdf(3_000_000), 'Rundschreiben');
    expectHealthzAnswering(healthz);
    expect(healthz.length, 'several /healthz requests while the upload ran').toBeGreaterThanOrEqual(5);

    expect(refused.status).toBe(422);
    expect(refused.$('#file-error').text()).toBe(TIME_LIMIT_MESSAGE);
    expect(refused.$('#serial-letter-title').val()).toBe('Rundschreiben');
    expect(refused.$('input[name=dispatch][value=preference]').attr('checked')).toBeDefined();
    expect(await state()).toEqual(before);
  });
});

describe('publishing a serial letter whose stored PDF runs over the time bound', () => {
  it('is refused on the letter page; the draft, the documents and the files stay as they were', async () => {
    const draft = await upload(await goodPdf(), 'Wasserzähler');
    expect(draft.status).toBe(303);
    const id = draft.location!.replace(`${BASE}/`, '');
    const serialLetter = await app.em().findOneOrFail(SerialLetter, { id }, all);
    // The stored original is damaged (a broken disk): cutting the letters never ends.
    await writeFile(path.join(app.storageDir, 'files', serialLetter.storageKey), damagedPdf(3_000_000));
    const before = await state();

    const refused = await manager.post(`${BASE}/${id}/veroeffentlichen`);
    expect(refused.status).toBe(422);
    expect(refused.$('[role=alert]').text()).toBe(TIME_LIMIT_MESSAGE);
    expect(await state()).toEqual(before);
    expect((await app.em().findOneOrFail(SerialLetter, { id }, all)).status).toBe('draft');
  });
});

describe('the memory bound of a PDF job', () => {
  let small: TestApp;
  beforeAll(async () => {
    // A heap too small for reading any PDF: the worker dies of it, the server does not.
    small = await startTestApp({ env: { PDF_JOB_MEMORY_MB: '8' } });
  });
  afterAll(() => small?.close());

  it('refuses the PDF with its own message, again on a new worker the next time, nothing stored, the server answering', async () => {
    const staff = small.client();
    await staff.loginStaff('verwalter@sonnenschein-hv.de', small.world.password);
    const page = await staff.get(`${BASE}/neu`);
    const type = page
      .$('#serial-letter-type option')
      .filter((_, o) => page.$(o).text().trim() === 'Serienbriefe')
      .attr('value')!;
    const before = await filesUnder(small.storageDir);
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await staff.postMultipart(
        BASE,
        { typeId: type, title: 'Heizung' },
        [{ name: 'heizung.pdf', type: 'application/pdf', content: await goodPdf() }],
        'file',
      );
      expect(refused.status).toBe(422);
      expect(refused.$('#file-error').text()).toBe(
        'Das PDF braucht zum Verarbeiten mehr Speicher als erlaubt; es ist beschädigt oder zu umfangreich. Bitte speichern Sie es neu als PDF oder teilen Sie es in kleinere Dateien auf.',
      );
    }
    expect(await small.em().count(SerialLetter, {}, all)).toBe(0);
    expect(await filesUnder(small.storageDir)).toEqual(before);
    expect((await staff.get('/healthz')).status).toBe(200);
  });
});
