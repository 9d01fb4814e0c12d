import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { Client, type Page } from '../support/client.ts';

/**
 * The development mailbox (/dev/mails) shows password-reset links: only a browser on this
 * machine may see it, although the server listens on every interface (src/http/loopback.ts).
 */
const MAIL_FILE = '2026-01-01T00-00-00-000Z-reset';
const SUBJECT = 'Passwort zurücksetzen';
const LINK = 'http://localhost:3000/portal/passwort-zuruecksetzen/geheimer-link';

let dataDir: string;
let app: TestApp;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hausportal-dev-mailbox-'));
  await mkdir(path.join(dataDir, 'mail'));
  const mail = {
    to: 'kristina.maiblume@example.de',
    subject: SUBJECT,
    text: `Neues Passwort vergeben: ${LINK}`,
    html: `<p><a href="${LINK}">Neues Passwort</a></p>`,
    date: '2026-01-01T00:00:00.000Z',
  };
  await writeFile(path.join(dataDir, 'mail', `${MAIL_FILE}.json`), JSON.stringify(mail));
  app = await startTestApp({ env: { DATA_DIR: dataDir } });
});
afterAll(async () => {
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The list (which names the mail by its subject), the mail, its HTML part (which show the link). */
const PAGES = ['/dev/mails', `/dev/mails/${MAIL_FILE}`, `/dev/mails/${MAIL_FILE}/html`];

function expectMailbox(page: Page) {
  expect(page.status).toBe(200);
  expect(page.text.includes(LINK) || page.$(`a[href="/dev/mails/${MAIL_FILE}"]`).text() === SUBJECT).toBe(true);
}

function expectNothing(page: Page) {
  expect(page.status).toBe(404);
  expect(page.text).not.toContain(LINK);
  expect(page.text).not.toContain(SUBJECT);
}

describe('the development mailbox', () => {
  it('shows the mails to a browser on this machine', async () => {
    const mailbox = await app.client().get('/dev/mails');
    expect(mailbox.status).toBe(200);
    expect(mailbox.$('h1').text()).toBe('Dev-Postfach');
    expect(mailbox.$(`a[href="/dev/mails/${MAIL_FILE}"]`).text()).toBe(SUBJECT);
    for (const page of PAGES.slice(1)) {
      const shown = await app.client().get(page);
      expectMailbox(shown);
      expect(shown.text).toContain(LINK);
    }
    // A proxy on this machine for a browser on this machine.
    expectMailbox(await app.client().get(`/dev/mails/${MAIL_FILE}`, { 'x-forwarded-for': '127.0.0.1' }));
    expectMailbox(await app.client().get(`/dev/mails/${MAIL_FILE}`, { forwarded: 'for="[::1]:51234"' }));
  });

  it('answers 404 when a proxy on this machine forwards a request from elsewhere', async () => {
    const forwarded: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.9' },
      { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' },
      { 'x-forwarded-for': '203.0.113.9, 127.0.0.1' },
      { 'x-real-ip': '203.0.113.9' },
      { forwarded: 'for=203.0.113.9;proto=http' },
      { forwarded: 'for="[2001:db8::1]:4711"' },
      { forwarded: 'for=unknown' },
    ];
    for (const headers of forwarded) {
      for (const page of PAGES) expectNothing(await app.client().get(page, headers));
    }
  });

  describe('on a server listening on every interface, as npm start does', () => {
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer(createApp({ orm: app.orm, config: app.config, clock: app.clock }));
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise((resolve) => server?.close(resolve)));

    it.skipIf(!outside)(`answers 404 to a connection from this machine's network address (${outside})`, async () => {
      for (const page of PAGES) expectNothing(await new Client(`http://${outside}:${port}`).get(page));
      // The same server, reached through loopback, shows the mails.
      for (const page of PAGES) expectMailbox(await new Client(`http://127.0.0.1:${port}`).get(page));
    });
  });
});
