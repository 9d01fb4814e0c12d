import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Invitation, InvitationLetterBatch, Ticket } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { Client } from '../support/client.ts';
import { expectHealthzAnswering, HEALTHZ_TYPICAL_MS, postWatchingHealthz } from '../support/healthz.ts';
import { filesUnder } from '../support/files.ts';
import { CODE, readPdf } from '../support/pdf.ts';

// Issue 14: work that can run long never blocks the server for other users. The PDFs we
// draw (invitation letters, a Vorgang's PDF) are drawn in the PDF workers (src/pdf/workers.ts):
// the bulk invitation of a property draws one letter per contact without an e-mail
// address, and 300 letters blocked the thread that answers everybody's requests for
// seconds. A drawing stopped by a bound of the workers is answered with a message, and
// nothing of it is kept.

const LETTERS = 300;
const all = { filters: { tenant: false } } as const;

let app: TestApp;
let manager: Client;
beforeAll(async () => {
  app = await startTestApp();
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  await addTenantsWithoutEmail(LETTERS);
});
afterAll(() => app?.close());

const bulkPath = () => `/verwaltung/liegenschaften/${app.world.properties.rosenweg.id}/einladungen`;

/** `count` tenants of a flat in Rosenweg 24 (one running contract), each with a postal address and no e-mail: each gets a letter. */
async function addTenantsWithoutEmail(count: number) {
  const organizationId = app.world.organizations.sonnenschein.id;
  await app.em().execute(
    `with tenants as (
       insert into contact (id, organization_id, type, salutation, first_name, last_name, street, postal_code, city, created_at, updated_at)
       select gen_random_uuid(), ?, 'person', case when g % 2 = 0 then 'frau' else 'herr' end, 'Vorname', 'Mieter' || lpad(g::text, 3, '0'),
              'Rosenweg 24', '80331', 'München', now(), now()
       from generate_series(1, ?) g
       returning id
     ), tenancy as (
       insert into contract (id, organization_id, kind, unit_id, starts_on, created_at, updated_at)
       values (gen_random_uuid(), ?, 'rental', (select id from unit where property_id = ? order by number limit 1), current_date - 30, now(), now())
       returning id
     )
     insert into contract_contact (contract_id, contact_id) select tenancy.id, tenants.id from tenancy, tenants`,
    [organizationId, count, organizationId, app.world.properties.rosenweg.id],
  );
}

describe('the bulk invitation of a property with 300 letters', () => {
  it(`draws them while /healthz keeps answering (typically within ${HEALTHZ_TYPICAL_MS} ms, never near a second), one page with its own code per contact`, async () => {
    const plan = await manager.get(bulkPath());
    expect(Number(plan.$('[data-count=letter]').text())).toBeGreaterThanOrEqual(LETTERS);

    const { page: sent, ms, healthz } = await postWatchingHealthz(app, manager, bulkPath(), {});
    console.info(
      `bulk invitation of ${LETTERS}+ letters: answered in ${Math.round(ms)} ms; /healthz meanwhile (ms): ${healthz.map((h) => Math.round(h.ms)).join(', ')}`,
    );
    expectHealthzAnswering(healthz);
    expect(healthz.length, 'several /healthz requests while the letters were drawn').toBeGreaterThanOrEqual(3);

    expect(sent.status).toBe(303);
    const batchId = new URL(sent.location!, app.baseUrl).searchParams.get('pdf')!;
    const batch = await app.em().findOneOrFail(InvitationLetterBatch, { id: batchId }, all);
    const response = await fetch(new URL(`/verwaltung/einladungsbriefe/${batchId}`, app.baseUrl), { headers: manager.browserHeaders() });
    expect(response.status).toBe(200);
    const pdf = await readPdf(new Uint8Array(await response.arrayBuffer()));
    expect(pdf.pages).toBe(batch.letterCount);
    const tenantPages = pdf.texts.filter((text) => /Mieter\d{3}/.test(text));
    expect(new Set(tenantPages.map((text) => text.match(/Mieter\d{3}/)![0])).size).toBe(LETTERS);
    const codes = pdf.texts.map((text) => text.match(CODE)?.[0]);
    expect(new Set(codes).size, 'a code of its own on every page').toBe(pdf.pages);
    // Drawing 300 letters takes 3–25 s on the 2-core machine, depending on what else runs on it.
  }, 120_000);
});

describe('a PDF drawing stopped by a bound of the PDF workers', () => {
  const MESSAGE =
    'Das PDF ließ sich nicht in der erlaubten Zeit und mit dem erlaubten Speicher erstellen; es wurde nichts gespeichert. Bitte versuchen Sie es später noch einmal.';
  let small: TestApp;
  let staff: Client;
  beforeAll(async () => {
    // A heap too small for drawing any PDF: the worker dies of it, the server does not.
    small = await startTestApp({ env: { PDF_JOB_MEMORY_MB: '8' } });
    staff = small.client();
    await staff.loginStaff('verwalter@sonnenschein-hv.de', small.world.password);
  });
  afterAll(() => small?.close());

  const state = async () => ({
    invitations: await small.em().count(Invitation, {}, all),
    batches: await small.em().count(InvitationLetterBatch, {}, all),
    files: await filesUnder(small.storageDir),
  });

  it('answers the letters of a bulk invitation with 503 and the message, and writes no invitation, batch or file', async () => {
    const before = await state();
    const refused = await staff.post(`/verwaltung/liegenschaften/${small.world.properties.rosenweg.id}/einladungen`);
    expect(refused.status).toBe(503);
    expect(refused.$('main').text()).toContain(MESSAGE);
    expect(await state()).toEqual(before);
  });

  it('answers the PDF of a Vorgang with 503 and the message; the page itself still answers', async () => {
    const ticket = await small.em().findOneOrFail(Ticket, { organization: small.world.organizations.sonnenschein.id, number: 1 }, all);
    const refused = await staff.get(`/verwaltung/vorgaenge/${ticket.id}/pdf`);
    expect(refused.status).toBe(503);
    expect(refused.$('main').text()).toContain(MESSAGE);
    expect(await filesUnder(small.storageDir)).toEqual([]);
    expect((await staff.get(`/verwaltung/vorgaenge/${ticket.id}`)).status).toBe(200);
  });
});
