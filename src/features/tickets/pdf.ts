import { assigneeAsSeen } from '../absence/service.ts';
import { brandLogoPng } from '../branding/service.ts';
import { readFile, rm } from 'node:fs/promises';
import type { TFunction } from 'i18next';
import type { Em } from '../../db/orm.ts';
import { ticketReference, type Ticket, type TicketAttachment } from '../../entities/index.ts';
import { contactDisplayName } from '../../entities/contact.ts';
import { helpers } from '../../http/view-helpers.ts';
import type { PdfWorkers } from '../../pdf/workers.ts';
import { newTempPath, type FileStorage } from '../../storage/files.ts';
import { isInternal, reportFiles, ticketSight, visibleTimeline, type TicketViewer, type TimelineItem } from './access.ts';
// Type-only: the PDF is drawn in the PDF workers, pdf-lib never loads on the request thread.
import type { drawTicket } from './pdf-jobs.ts';
import type { TicketPdfContent, TicketPdfEntry, TicketPdfFact, TicketPdfFile } from './pdf-layout.ts';
import { audienceOf, entryLine, internalLabel } from './timeline.ts';

/**
 * "Als PDF speichern" (seed 000, step 5): the whole communication of a Vorgang as a DIN A4
 * PDF, for the Verwaltung's files or the resident's. What it holds is what the viewer sees
 * on the page, decided here, on the request thread, by access.ts (ticketSight,
 * visibleTimeline): a resident's PDF never contains an internal note nor the reporter's
 * contact data, and a joiner's not the reporter's name, nor the report unless it was
 * shared. A PDF worker only draws that content (./pdf-layout.ts through ./pdf-jobs.ts).
 */

/** The worker module that draws a Vorgang's PDF. */
const PDF_JOBS = new URL('./pdf-jobs.ts', import.meta.url);

/** Builds the PDF of a Vorgang (see above); a job stopped by a bound of the workers throws PdfJobOverLimit. */
export async function ticketPdf(
  em: Em,
  ticket: Ticket,
  options: { viewer: TicketViewer; t: TFunction; storage: FileStorage; pdf: PdfWorkers; now?: Date },
): Promise<Uint8Array> {
  const content = await ticketPdfContent(em, ticket, options);
  // The worker writes the PDF to a temp file chosen here, which goes whatever happens.
  const path = await newTempPath(options.storage);
  try {
    await options.pdf.run<typeof drawTicket>(PDF_JOBS, 'drawTicket', { content, path });
    return new Uint8Array(await readFile(path));
  } finally {
    await rm(path, { force: true });
  }
}

/** The assignee as the PDF names them: the substitute "in Vertretung für …" during an absence (src/features/absence). */
function assigneeLine(seen: Awaited<ReturnType<typeof assigneeAsSeen>>, t: TFunction): string {
  if (!seen) return t('tickets-detail:assign.nobody');
  return seen.standsInFor ? `${seen.name} (${t('absence:standsInFor', { name: seen.standsInFor })})` : seen.name;
}

/** What the viewer's PDF shows, in their language, with the thumbnails of the photos they may see. */
async function ticketPdfContent(
  em: Em,
  ticket: Ticket,
  options: { viewer: TicketViewer; t: TFunction; storage: FileStorage; now?: Date },
): Promise<TicketPdfContent> {
  const { viewer, t, storage } = options;
  await em.populate(ticket, ['organization', 'property', 'unit', 'category', 'assignee', 'reporter', 'reporterContact', 'mergedInto']);
  const sight = ticketSight(ticket, viewer);
  const items = await visibleTimeline(em, ticket, viewer);
  const reference = ticketReference(ticket);
  const files = (list: TicketAttachment[]) => pdfFiles(storage, list, t);

  const place = ticket.unit
    ? t('tickets:place.unit', { number: ticket.unit.number })
    : t('tickets:place.commonArea', { area: t(`tickets:areas.${ticket.commonArea}`) });
  const facts: TicketPdfFact[] = [
    [t('tickets-detail:facts.status'), t(`tickets:status.${ticket.status}`)],
    [t('tickets-detail:facts.category'), ticket.category.name],
    [t('tickets-detail:facts.property'), ticket.property.name],
    [t('tickets-detail:facts.place'), place],
    [t('tickets-detail:facts.createdAt'), helpers.formatDateTime(ticket.createdAt)],
    [t('tickets-detail:facts.lastActivity'), helpers.formatDateTime(ticket.lastActivityAt)],
    [t('tickets-detail:facts.assignee'), assigneeLine(await assigneeAsSeen(em, ticket.assignee, options.now ?? new Date()), t)],
  ];
  if (ticket.closedAt) facts.push([t('tickets-detail:facts.closedAt'), helpers.formatDateTime(ticket.closedAt)]);
  if (ticket.mergedInto) facts.push([t('tickets-detail:facts.mergedInto'), t('tickets:reference', { reference: ticketReference(ticket.mergedInto) })]);

  // The reporter: staff get the contact data, the reporter side the name, a joiner nothing.
  const reporterFacts: TicketPdfFact[] = [];
  if (sight.reporter !== 'none') reporterFacts.push([t('tickets-detail:reporter.name'), ticket.reporterName]);
  if (sight.reporter === 'contact') {
    const contact = ticket.reporterContact;
    if (contact) {
      reporterFacts.push(
        [t('tickets-detail:reporter.contact'), contactDisplayName(contact)],
        [t('tickets-detail:reporter.email'), contact.email ?? ''],
        [t('tickets-detail:reporter.phone'), contact.phone ?? ''],
        [t('tickets-detail:reporter.address'), [contact.street, [contact.postalCode, contact.city].filter(Boolean).join(' ')].filter(Boolean).join(', ')],
      );
    }
    reporterFacts.push([t('tickets-detail:reporter.login'), `${ticket.reporter.name} <${ticket.reporter.email}>`]);
  }

  // "Vorgang Nr. …" for staff, "Anliegen Nr. …" for residents (timeline.ts, TimelineAudience).
  const context = audienceOf(viewer) === 'resident' ? 'resident' : undefined;
  const title = t('tickets-detail:pdf.title', { reference, context });
  return {
    documentTitle: `${title}: ${ticket.title}`,
    organization: ticket.organization.portalName || ticket.organization.name,
    logoPng: await brandLogoPng(storage, ticket.organization),
    heading: title,
    title: ticket.title,
    facts,
    reporter: sight.reporter !== 'none' ? { heading: t('tickets-detail:reporter.title'), facts: reporterFacts } : null,
    // The report and its photos, when the viewer sees them.
    report: sight.report ? { heading: t('tickets-detail:report.title'), description: ticket.description, files: await files(reportFiles(items)) } : null,
    timeline: {
      heading: t('tickets-detail:timeline.title'),
      entries: await timelineEntries(items, files, t, viewer),
      empty: t('tickets-detail:timeline.empty'),
    },
    // The page numbers are known only once drawn: the worker fills them in.
    footer: { left: `${title} · ${ticket.organization.name}`, pageOf: t('tickets-detail:pdf.page', { page: '{{page}}', pages: '{{pages}}' }) },
  };
}

/** The timeline's entries as the PDF shows them. */
async function timelineEntries(
  items: TimelineItem[],
  files: (list: TicketAttachment[]) => Promise<TicketPdfFile[]>,
  t: TFunction,
  viewer: TicketViewer,
): Promise<TicketPdfEntry[]> {
  const entries: TicketPdfEntry[] = [];
  for (const item of items) {
    entries.push({
      internal: isInternal(item.entry) ? internalLabel(item.entry, t).toUpperCase() : null,
      line: entryLine(item, t, audienceOf(viewer)),
      date: helpers.formatDateTime(item.entry.createdAt),
      body: item.entry.body || null,
      // The report's photos are drawn with the report.
      files: item.entry.kind === 'created' ? [] : await files(item.files),
    });
  }
  return entries;
}

/** The files as the PDF lists them: each with its thumbnail's bytes, if it has one, and the line naming it. Read one after the other: a Vorgang may have many. */
async function pdfFiles(storage: FileStorage, files: TicketAttachment[], t: TFunction): Promise<TicketPdfFile[]> {
  const listed: TicketPdfFile[] = [];
  for (const file of files) {
    listed.push({
      thumbnail: file.thumbKey ? await readThumbnail(storage, file.thumbKey) : null,
      line: t(file.mimeType.startsWith('image/') ? 'tickets-detail:pdf.photo' : 'tickets-detail:pdf.file', { name: file.fileName }),
    });
  }
  return listed;
}

/** A thumbnail's bytes from the store (small: at most 480 px a side), or null when it is missing. */
async function readThumbnail(storage: FileStorage, key: string): Promise<Uint8Array | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of storage.open(key)) chunks.push(chunk as Buffer);
    // A copy with an ArrayBuffer of its own: a Buffer may be a slice of Node's shared pool,
    // all of which would be copied to the worker with it.
    return new Uint8Array(Buffer.concat(chunks));
  } catch {
    return null;
  }
}
