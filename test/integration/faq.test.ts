import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaqEntry, Organization } from '../../src/entities/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ensureContentDemo } from '../support/content-demo.ts';
import type { Client, Page } from '../support/client.ts';

let app: TestApp;
let manager: Client;
let kristina: Client; // tenant in Max-Planck-Straße 12 only
let eigner: Client; // owner in Max-Planck-Straße 12 and Rosenweg 24
beforeAll(async () => {
  app = await startTestApp();
  await ensureContentDemo(app);
  manager = app.client();
  await manager.loginStaff('verwalter@sonnenschein-hv.de', app.world.password);
  kristina = app.client();
  await kristina.loginPortal('kristina.maiblume@example.de', app.world.password);
  eigner = app.client();
  await eigner.loginPortal('heinrich.eigner@example.de', app.world.password);
});
afterAll(() => app?.close());

const LIST = '/verwaltung/fragen';
const portalFaq = (propertyId: string) => `/portal/liegenschaften/${propertyId}/fragen`;
const questionsIn = (page: Page, selector: string) =>
  page
    .$(`${selector} .question`)
    .map((_, el) => page.$(el).text())
    .get();
const portalQuestions = (page: Page) =>
  page
    .$('main details summary')
    .map((_, el) => page.$(el).text())
    .get();

async function entry(question: string) {
  return app.em().findOneOrFail(FaqEntry, { question }, { filters: { tenant: false }, populate: ['property'] });
}
const count = () => app.em().count(FaqEntry, {}, { filters: { tenant: false } });

async function create(property: string, question: string, answer: string) {
  const page = await manager.post(LIST, { property, question, answer });
  expect(page.status, page.$('[role=alert]').text()).toBe(303);
  return entry(question);
}

describe('Fragen & Antworten in the console', () => {
  it('creates questions for the whole portfolio and for one property, grouped in the list', async () => {
    const form = await manager.get(`${LIST}/neu`);
    expect(form.status).toBe(200);
    expect(form.$('#faq-property option').first().text()).toBe('Alle Liegenschaften');

    const general = await create('alle', 'Wer hilft bei einem Rohrbruch?', 'Über „Vorgänge“ im Portal.\n\nMehr: https://example.de/hilfe');
    expect(general.property).toBeNull();
    const rosen = await create(app.world.properties.rosenweg.id, 'Wann wird der Sperrmüll abgeholt?', 'Dienstags.');
    expect(rosen.property?.id).toBe(app.world.properties.rosenweg.id);

    const list = await manager.get(`${LIST}?gespeichert=1`);
    expect(list.$('[role=status]').text()).toBe('Die Frage wurde gespeichert.');
    expect(list.$('#faq-group-all h2').text()).toBe('Alle Liegenschaften');
    expect(questionsIn(list, '#faq-group-all')).toContain('Wer hilft bei einem Rohrbruch?');
    expect(list.$(`#faq-group-${app.world.properties.rosenweg.id} h2`).text()).toBe('Rosenweg 24');
    expect(questionsIn(list, `#faq-group-${app.world.properties.rosenweg.id}`)).toContain('Wann wird der Sperrmüll abgeholt?');
    expect(questionsIn(list, '#faq-group-all')).not.toContain('Wann wird der Sperrmüll abgeholt?');
    // The answer is plain text made safe: paragraphs and links.
    const answer = list.$(`#faq-${general.id} .answer`);
    expect(answer.find('p')).toHaveLength(2);
    expect(answer.find('a').attr('href')).toBe('https://example.de/hilfe');
  });

  it('edits a question and moves it to another group', async () => {
    const faq = await create('alle', 'Wo ist der Stromzähler?', 'Im Keller.');
    const form = await manager.get(`${LIST}/${faq.id}`);
    expect(form.$('#faq-question').val()).toBe('Wo ist der Stromzähler?');
    expect(form.$('#faq-property').val()).toBe('alle');

    const saved = await manager.post(`${LIST}/${faq.id}`, {
      property: app.world.properties.maxPlanck.id,
      question: 'Wo sind die Stromzähler?',
      answer: 'Im Keller, Raum 3.',
    });
    expect(saved.status).toBe(303);
    const changed = await entry('Wo sind die Stromzähler?');
    expect(changed.id).toBe(faq.id);
    expect(changed.property?.id).toBe(app.world.properties.maxPlanck.id);
    expect(changed.answer).toBe('Im Keller, Raum 3.');
  });

  it('orders the questions of a group with "nach oben" and "nach unten"', async () => {
    const property = app.world.properties.test.id;
    const a = await create(property, 'Frage A', 'a');
    const b = await create(property, 'Frage B', 'b');
    const c = await create(property, 'Frage C', 'c');
    const group = `#faq-group-${property}`;
    expect(questionsIn(await manager.get(LIST), group)).toEqual(['Frage A', 'Frage B', 'Frage C']);

    const list = await manager.get(LIST);
    const upButton = list.$(`#faq-${c.id} button[value=oben]`);
    expect(upButton.text()).toBe('nach oben');
    expect(list.$(`#faq-${a.id} button[value=oben]`).attr('disabled')).toBeDefined();
    expect((await manager.post(`${LIST}/${c.id}/position`, { richtung: 'oben' })).status).toBe(303);
    expect(questionsIn(await manager.get(LIST), group)).toEqual(['Frage A', 'Frage C', 'Frage B']);
    expect((await manager.post(`${LIST}/${a.id}/position`, { richtung: 'unten' })).status).toBe(303);
    expect(questionsIn(await manager.get(LIST), group)).toEqual(['Frage C', 'Frage A', 'Frage B']);
    // At the end of the group nothing moves.
    await manager.post(`${LIST}/${b.id}/position`, { richtung: 'unten' });
    expect(questionsIn(await manager.get(LIST), group)).toEqual(['Frage C', 'Frage A', 'Frage B']);
  });

  it('deletes a question', async () => {
    const faq = await create('alle', 'Wird gleich gelöscht?', 'Ja.');
    const before = await count();
    expect((await manager.post(`${LIST}/${faq.id}/loeschen`)).status).toBe(303);
    expect(await count()).toBe(before - 1);
    expect(questionsIn(await manager.get(LIST), 'main')).not.toContain('Wird gleich gelöscht?');
  });

  it.each([
    {
      problem: 'an empty question',
      fields: { property: 'alle', question: '  ', answer: 'Antwort' },
      field: 'question',
      message: 'Bitte geben Sie eine Frage ein.',
    },
    {
      problem: 'an empty answer',
      fields: { property: 'alle', question: 'Frage ohne Antwort', answer: '' },
      field: 'answer',
      message: 'Bitte geben Sie eine Antwort ein.',
    },
    {
      problem: 'an unknown property',
      fields: { property: '00000000-0000-4000-8000-000000000000', question: 'Frage', answer: 'Antwort' },
      field: 'property',
      message: 'Bitte wählen Sie eine Liegenschaft oder „Alle Liegenschaften“.',
    },
  ])('answers $problem with 422 and the form kept, saving nothing', async ({ fields, field, message }) => {
    const before = await count();
    const page = await manager.post(LIST, fields);
    expect(page.status).toBe(422);
    expect(page.$('[role=alert]').text()).toBe('Bitte prüfen Sie die markierten Felder.');
    expect(page.$(`#${field}-error`).text()).toBe(message);
    expect(page.$(`#faq-${field}`).attr('aria-invalid')).toBe('true');
    expect(page.$('#faq-question').val()).toBe(fields.question.trim());
    expect(page.$('#faq-answer').text()).toBe(fields.answer);
    expect(await count()).toBe(before);
  });

  it('does not let a property of another Verwaltung be chosen', async () => {
    const before = await count();
    const page = await manager.post(LIST, { property: app.world.properties.hafenstrasse.id, question: 'Fremd?', answer: 'Nein.' });
    expect(page.status).toBe(422);
    expect(await count()).toBe(before);
  });

  it('keeps entries of one Verwaltung away from the other (404)', async () => {
    const faq = await create('alle', 'Nur für Sonnenschein?', 'Ja.');
    const nord = app.client();
    await nord.loginStaff('verwalter@nordhaus-verwaltung.de', app.world.password);
    expect(questionsIn(await nord.get(LIST), 'main')).toEqual([]);
    expect((await nord.get(`${LIST}/${faq.id}`)).status).toBe(404);
    expect((await nord.post(`${LIST}/${faq.id}`, { property: 'alle', question: 'Übernommen', answer: 'x' })).status).toBe(404);
    expect((await nord.post(`${LIST}/${faq.id}/position`, { richtung: 'oben' })).status).toBe(404);
    expect((await nord.post(`${LIST}/${faq.id}/loeschen`)).status).toBe(404);
    expect((await entry('Nur für Sonnenschein?')).question).toBe('Nur für Sonnenschein?');
  });
});

describe('Fragen & Antworten in the portal', () => {
  it('shows the questions of the property first, then those for the whole portfolio, in their order', async () => {
    await create(app.world.properties.maxPlanck.id, 'Wo ist der Waschkeller?', 'Im Untergeschoss.');
    await create('alle', 'Portfolio-Frage zwei', 'x');
    const page = await kristina.get(portalFaq(app.world.properties.maxPlanck.id));
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Fragen & Antworten');
    expect(page.$('.portalnav [aria-current=page]').text()).toBe('Fragen & Antworten');
    const questions = portalQuestions(page);
    const own = questions.indexOf('Wo ist der Waschkeller?');
    const general = questions.indexOf('Wer hilft bei einem Rohrbruch?');
    expect(own).toBeGreaterThanOrEqual(0);
    expect(general).toBeGreaterThan(own);
    expect(questions.indexOf('Portfolio-Frage zwei')).toBeGreaterThan(general);
    expect(questions).not.toContain('Wann wird der Sperrmüll abgeholt?'); // Rosenweg 24 only
    const answer = page
      .$('main details')
      .filter((_, d) => page.$(d).find('summary').text() === 'Wer hilft bei einem Rohrbruch?')
      .find('.answer');
    expect(answer.find('a').attr('href')).toBe('https://example.de/hilfe');
  });

  it('shows portfolio-wide questions in every property', async () => {
    for (const property of [app.world.properties.maxPlanck, app.world.properties.rosenweg]) {
      const page = await eigner.get(portalFaq(property.id));
      expect(portalQuestions(page), property.name).toContain('Wer hilft bei einem Rohrbruch?');
      expect(portalQuestions(page), property.name).toContain('Wie melde ich einen Schaden?'); // demo, for all
    }
    expect(portalQuestions(await eigner.get(portalFaq(app.world.properties.rosenweg.id)))).toContain('Wann wird der Sperrmüll abgeholt?');
  });

  it('answers 404 to a resident of another property and to another Verwaltung', async () => {
    expect((await kristina.get(portalFaq(app.world.properties.rosenweg.id))).status).toBe(404);
    const frieda = app.client();
    await frieda.loginPortal('frieda.friesen@example.de', app.world.password);
    expect((await frieda.get(portalFaq(app.world.properties.maxPlanck.id))).status).toBe(404);
  });

  it('answers 404 and hides the link when the Verwaltung has switched FAQ off', async () => {
    const em = app.em();
    const org = await em.findOneOrFail(Organization, { id: app.world.organizations.sonnenschein.id });
    org.faqEnabled = false;
    await em.flush();
    try {
      const page = await kristina.get(portalFaq(app.world.properties.maxPlanck.id));
      expect(page.status).toBe(404);
      const start = await kristina.get(`/portal/liegenschaften/${app.world.properties.maxPlanck.id}`);
      expect(
        start
          .$('.portalnav a')
          .map((_, a) => start.$(a).text())
          .get(),
      ).not.toContain('Fragen & Antworten');
    } finally {
      org.faqEnabled = true;
      await em.flush();
    }
    expect((await kristina.get(portalFaq(app.world.properties.maxPlanck.id))).status).toBe(200);
  });
});
