import { Router, type Request, type Response } from 'express';
import { PortalUser } from '../../entities/index.ts';
import { auditStaffAction } from '../audit/service.ts';
import { NotFoundError } from '../../http/errors.ts';
import { field, fieldMessages, textareaField, type FieldErrors } from '../../http/forms.ts';
import { isUuid } from '../../http/find.ts';
import { pageNumber } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { propertyBase } from '../../scopes/portal.ts';
import { conversationScope, directMessagesScope, messageReportScope, neighboursScope, ownNeighbourEntryScope } from '../../scopes/neighbours.ts';
import { scoped } from '../../scopes/scope.ts';
import { staffScope } from '../../scopes/staff.ts';
import { openStream } from './live.ts';
import { communityNavigation } from './navigation.ts';
import { listedNeighbour, listedNeighbours, mayMessage, messagesOpen, profileOpen, type NeighbourRow } from './neighbour-access.ts';
// Registers what this feature exports and removes for the resident's data-protection rights.
import './privacy.ts';
import { reportNeighbourhood, reportsPage, markHandled } from './reports.ts';
import {
  CONVERSATIONS_PAGE,
  NEIGHBOURS_PAGE,
  REASON_MAX,
  conversationWith,
  conversationsOf,
  isBlocked,
  markRead,
  messageForm,
  messagesOf,
  ownProfile,
  profileForm,
  receivedMessage,
  reportMessage,
  saveProfile,
  sendMessage,
  setBlocked,
  throttled,
  validateMessage,
  validateProfile,
  type ProfileForm,
} from './service.ts';

// Eigentümer / Nachbarn, the Nachbarschaftsprofil and Direktnachrichten (issue 21). Who sees
// and may do what: ./neighbour-access.ts through the scopes of src/scopes/neighbours.ts.

const photoPath = (base: string, userId: string) => `${base}/nachbarn/${userId}/foto`;

/** Portal routes, mounted at /portal (residents) and /portal/vorschau (the preview sees the list only). */
export function portalRoutes() {
  const router = Router();

  router.get(
    '/liegenschaften/:propertyId/nachbarn',
    scoped(neighboursScope, async (req, res, scope) => {
      const { organization, property, user } = scope;
      const page = pageNumber(req.query.seite);
      const rows = await listedNeighbours(req.em, organization, property, req.deps.clock.now(), {
        limit: NEIGHBOURS_PAGE + 1,
        offset: (page - 1) * NEIGHBOURS_PAGE,
      });
      render(req, res, 'community/neighbours', {
        title: req.t('community:neighbours.title'),
        section: 'neighbours',
        base: propertyBase(scope),
        neighbours: rows.slice(0, NEIGHBOURS_PAGE),
        page,
        hasNext: rows.length > NEIGHBOURS_PAGE,
        me: user?.id ?? null,
        canMessage: messagesOpen(organization, property, scope.access, user),
        withProfile: profileOpen(organization, property),
        photoPath,
      });
    }),
  );

  router.get(
    '/liegenschaften/:propertyId/nachbarn/:userId/foto',
    scoped(neighboursScope, async (req, res, { organization, property }) => {
      const userId = req.params.userId;
      const neighbour = isUuid(userId) ? await listedNeighbour(req.em, organization, property, req.deps.clock.now(), userId) : null;
      if (!neighbour?.hasPhoto) throw new NotFoundError('no photo shown');
      const owner = await req.em.findOneOrFail(PortalUser, { id: neighbour.id });
      // The profile photo is re-encoded and small (256 px square, src/features/profile): read whole, its type by its bytes.
      const bytes = await readSmall(req.storage.open(owner.photoKey!), 2 * 1024 * 1024);
      const type = imageType(bytes);
      if (!type) throw new NotFoundError('profile photo of no image type');
      res.set({ 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'private, no-store' }).send(bytes);
    }),
  );

  const showEntry = async (
    req: Request,
    res: Response,
    scope: Awaited<ReturnType<typeof ownNeighbourEntryScope.load>>,
    form: ProfileForm,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    render(
      req,
      res,
      'community/entry',
      {
        title: req.t('community:entry.title'),
        section: 'neighbours',
        base: propertyBase(scope),
        form,
        errors: fieldMessages(req.t, errors),
        withProfile: profileOpen(scope.organization, scope.property),
        displayName: scope.user.displayName,
        saved: req.query.gespeichert !== undefined,
      },
      status,
    );
  };

  router.get(
    '/liegenschaften/:propertyId/nachbarn/meine-angaben',
    scoped(ownNeighbourEntryScope, async (req, res, scope) => showEntry(req, res, scope, await ownProfile(req.em, scope.user, scope.property))),
  );

  router.post(
    '/liegenschaften/:propertyId/nachbarn/meine-angaben',
    scoped(ownNeighbourEntryScope, async (req, res, scope) => {
      const form = profileForm(req.body);
      const errors = validateProfile(form);
      if (Object.keys(errors).length) return showEntry(req, res, scope, form, errors, 422);
      await saveProfile(req.em, scope.user, scope.property, form, profileOpen(scope.organization, scope.property), req.deps.clock.now());
      res.redirect(303, `${propertyBase(scope)}/nachbarn/meine-angaben?gespeichert`);
    }),
  );

  // --- Direktnachrichten ---

  const names = async (
    req: Request,
    scope: { organization: Parameters<typeof listedNeighbours>[1]; property: Parameters<typeof listedNeighbours>[2] },
    ids: string[],
  ) => {
    const rows = await listedNeighbours(req.em, scope.organization, scope.property, req.deps.clock.now(), { limit: ids.length, offset: 0 }, [...new Set(ids)]);
    const byId = new Map<string, NeighbourRow>(rows.map((row) => [row.id, row]));
    return (id: string) => byId.get(id) ?? null;
  };

  const showConversations = async (
    req: Request,
    res: Response,
    scope: Awaited<ReturnType<typeof directMessagesScope.load>>,
    problem: string | null = null,
    status = 200,
  ) => {
    const page = pageNumber(req.query.seite);
    const rows = await conversationsOf(req.em, scope.user, scope.property, { limit: CONVERSATIONS_PAGE + 1, offset: (page - 1) * CONVERSATIONS_PAGE });
    const shown = rows.slice(0, CONVERSATIONS_PAGE);
    const neighbour = await names(
      req,
      scope,
      shown.map((row) => row.otherId),
    );
    render(
      req,
      res,
      'community/conversations',
      {
        title: req.t('community:messages.title'),
        section: 'messages',
        base: propertyBase(scope),
        conversations: shown.map((row) => ({ ...row, other: neighbour(row.otherId) })),
        page,
        hasNext: rows.length > CONVERSATIONS_PAGE,
        problem,
      },
      status,
    );
  };

  router.get(
    '/liegenschaften/:propertyId/nachrichten',
    scoped(directMessagesScope, (req, res, scope) => showConversations(req, res, scope)),
  );

  // "Nachricht schreiben" in the neighbour list: the conversation with that neighbour, new or existing.
  router.post(
    '/liegenschaften/:propertyId/nachrichten',
    scoped(directMessagesScope, async (req, res, scope) => {
      const to = field(req.body?.an);
      const allowed = isUuid(to)
        ? await mayMessage(req.em, scope.organization, scope.property, scope.access, scope.user, to, req.deps.clock.now())
        : { refusal: 'notListed' as const };
      if ('refusal' in allowed) return showConversations(req, res, scope, `community:errors.${allowed.refusal}`, 422);
      const id = await conversationWith(req.em, scope.user, scope.property, to);
      res.redirect(303, `${propertyBase(scope)}/nachrichten/${id}`);
    }),
  );

  const showConversation = async (
    req: Request,
    res: Response,
    scope: Awaited<ReturnType<typeof conversationScope.load>>,
    form: { body: string },
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const before = parseBefore(req.query.vor);
    const [other, blocked, { messages, older }] = await Promise.all([
      listedNeighbour(req.em, scope.organization, scope.property, req.deps.clock.now(), scope.conversation.otherId),
      isBlocked(req.em, scope.user, scope.conversation.otherId),
      messagesOf(req.em, scope.user, scope.conversation.id, before),
    ]);
    const newest = messages.at(-1);
    // What the resident sees now counts as read: the navigation of this very page shows the count without it.
    const read = !before && newest ? await markRead(req.em, scope.user.id, scope.conversation.id, req.deps.clock.now()) : false;
    const navigation = read ? { community: await communityNavigation(req.em, scope.property, scope.access, scope.user) } : {};
    const base = propertyBase(scope);
    const oldest = messages[0];
    render(
      req,
      res,
      'community/conversation',
      {
        title: req.t('community:conversation.title', { name: other?.name ?? req.t('community:anonymous') }),
        section: 'messages',
        base,
        conversation: scope.conversation,
        other,
        blocked,
        messages,
        olderLink:
          older && oldest ? `${base}/nachrichten/${scope.conversation.id}?vor=${encodeURIComponent(`${oldest.createdAt.toISOString()}_${oldest.id}`)}` : null,
        liveUrl: before
          ? null
          : `${base}/nachrichten/${scope.conversation.id}/live?seit=${encodeURIComponent((newest?.createdAt ?? new Date(0)).toISOString())}`,
        names: { other: other?.name ?? req.t('community:anonymous') },
        form,
        errors: fieldMessages(req.t, errors),
        ...navigation,
      },
      status,
    );
  };

  router.get(
    '/liegenschaften/:propertyId/nachrichten/:conversationId',
    scoped(conversationScope, (req, res, scope) => showConversation(req, res, scope, { body: '' })),
  );

  /**
   * A refused message: the page with the form at its message, or through htmx the form alone,
   * swapped in place of the one sent (the form targets the message list when it succeeds).
   */
  const refuse = async (
    req: Request,
    res: Response,
    scope: Awaited<ReturnType<typeof conversationScope.load>>,
    form: { body: string },
    errors: FieldErrors,
    status: number,
  ) => {
    if (!fromHtmx(req)) return showConversation(req, res, scope, form, errors, status);
    res.set({ 'HX-Retarget': '#message-form', 'HX-Reswap': 'outerHTML' });
    render(
      req,
      res,
      'community/_message-form',
      { base: propertyBase(scope), conversationId: scope.conversation.id, form, errors: fieldMessages(req.t, errors), oob: false },
      status,
    );
  };

  router.post(
    '/liegenschaften/:propertyId/nachrichten/:conversationId',
    scoped(conversationScope, async (req, res, scope) => {
      const form = messageForm(req.body);
      const now = req.deps.clock.now();
      const errors = validateMessage(form);
      if (Object.keys(errors).length) return refuse(req, res, scope, form, errors, 422);
      const allowed = await mayMessage(req.em, scope.organization, scope.property, scope.access, scope.user, scope.conversation.otherId, now);
      if ('refusal' in allowed) return refuse(req, res, scope, form, { body: `community:errors.${allowed.refusal}` }, 422);
      if (await throttled(req.em, scope.user, now)) return refuse(req, res, scope, form, { body: 'community:errors.throttled' }, 429);
      const message = await sendMessage(req.em, {
        organization: scope.organization,
        property: scope.property,
        sender: scope.user,
        senderName: allowed.sender.name ?? req.t('community:anonymous'),
        conversation: scope.conversation,
        body: form.body,
        baseUrl: req.deps.config.baseUrl,
        now,
      });
      // Through htmx: the message for the end of the list and the form empty again (no reload).
      if (fromHtmx(req)) {
        return render(req, res, 'community/_sent', {
          base: propertyBase(scope),
          conversationId: scope.conversation.id,
          message,
          names: { other: allowed.recipient.name ?? req.t('community:anonymous') },
        });
      }
      res.redirect(303, `${propertyBase(scope)}/nachrichten/${scope.conversation.id}#neueste`);
    }),
  );

  router.get(
    '/liegenschaften/:propertyId/nachrichten/:conversationId/live',
    scoped(conversationScope, async (req, res, scope) => {
      const since = new Date(field(req.query.seit));
      await openStream(req, res, {
        viewerId: scope.user.id,
        organizationId: scope.organization.id,
        conversationId: scope.conversation.id,
        base: propertyBase(scope),
        names: {
          other:
            (await listedNeighbour(req.em, scope.organization, scope.property, req.deps.clock.now(), scope.conversation.otherId))?.name ??
            req.t('community:anonymous'),
        },
        since: Number.isNaN(since.getTime()) ? req.deps.clock.now() : since,
      });
    }),
  );

  router.post(
    '/liegenschaften/:propertyId/nachrichten/:conversationId/blockieren',
    scoped(conversationScope, async (req, res, scope) => {
      await setBlocked(req.em, scope.user, scope.conversation.otherId, field(req.body?.aktion) !== 'freigeben');
      res.redirect(303, `${propertyBase(scope)}/nachrichten/${scope.conversation.id}`);
    }),
  );

  const reportForm = async (
    req: Request,
    res: Response,
    scope: Awaited<ReturnType<typeof conversationScope.load>>,
    reason: string,
    errors: FieldErrors = {},
    status = 200,
  ) => {
    const message = await receivedMessage(req.em, scope.user, scope.conversation.id, String(req.params.messageId));
    if (!message) throw new NotFoundError('message to report not found');
    render(
      req,
      res,
      'community/report',
      {
        title: req.t('community:report.title'),
        section: 'messages',
        base: propertyBase(scope),
        conversation: scope.conversation,
        message,
        reason,
        errors: fieldMessages(req.t, errors),
        sent: req.query.gesendet !== undefined,
      },
      status,
    );
    return message;
  };

  router.get(
    '/liegenschaften/:propertyId/nachrichten/:conversationId/melden/:messageId',
    scoped(conversationScope, async (req, res, scope) => {
      if (!isUuid(req.params.messageId)) throw new NotFoundError('malformed message id');
      await reportForm(req, res, scope, '');
    }),
  );

  router.post(
    '/liegenschaften/:propertyId/nachrichten/:conversationId/melden/:messageId',
    scoped(conversationScope, async (req, res, scope) => {
      if (!isUuid(req.params.messageId)) throw new NotFoundError('malformed message id');
      const reason = textareaField(req.body?.reason);
      const message = await receivedMessage(req.em, scope.user, scope.conversation.id, req.params.messageId);
      if (!message) throw new NotFoundError('message to report not found');
      const error = !reason ? 'community:errors.reasonRequired' : reason.length > REASON_MAX ? 'community:errors.reasonTooLong' : null;
      if (error) return void (await reportForm(req, res, scope, reason, { reason: error }, 422));
      await reportMessage(req.em, scope.user, message.id, reason, req.deps.clock.now());
      res.redirect(303, `${propertyBase(scope)}/nachrichten/${scope.conversation.id}/melden/${message.id}?gesendet`);
    }),
  );

  return router;
}

/** An htmx request (not the restore of a page from history). */
function fromHtmx(req: Request): boolean {
  return req.get('hx-request') === 'true' && req.get('hx-history-restore-request') !== 'true';
}

/** `?vor=<ISO time>_<id>`: the oldest message shown, to page to older ones. */
function parseBefore(value: unknown): { at: Date; id: string } | null {
  if (typeof value !== 'string') return null;
  const [at, id] = value.split('_');
  const date = new Date(at ?? '');
  return isUuid(id) && !Number.isNaN(date.getTime()) ? { at: date, id } : null;
}

/** Console routes, mounted at /verwaltung (staff): reported Direktnachrichten, the second tab of "Meldungen" (./board-routes.ts the first). */
export function consoleRoutes() {
  const router = Router();

  router.get(
    '/meldungen/nachrichten',
    scoped(staffScope, async (req, res) => {
      const page = pageNumber(req.query.seite);
      const { reports, hasNext } = await reportsPage(req.em, page);
      render(req, res, 'community/console-reports', { title: req.t('community:console.title'), reports, page, hasNext });
    }),
  );

  router.get(
    '/meldungen/nachrichten/:reportId',
    scoped(messageReportScope, async (req, res, { staff, report }) => {
      const neighbourhood = await reportNeighbourhood(req.em, report);
      // Messages are private: that staff read this excerpt is recorded.
      auditStaffAction(
        req.em,
        staff,
        'direct-message.report.viewed',
        { type: 'message_report', id: report.id },
        { messageId: report.message.id, shown: neighbourhood.messages.length },
        req.deps.clock.now(),
      );
      await req.em.flush();
      render(req, res, 'community/console-report', { title: req.t('community:console.reportTitle'), report, ...neighbourhood });
    }),
  );

  router.post(
    '/meldungen/nachrichten/:reportId/erledigt',
    scoped(messageReportScope, async (req, res, { staff, report }) => {
      await markHandled(req.em, staff, report, req.deps.clock.now());
      res.redirect(303, '/verwaltung/meldungen/nachrichten');
    }),
  );

  return router;
}

async function readSmall(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > limit) throw new NotFoundError('profile photo too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** JPEG, PNG or WebP by their first bytes; anything else is not served as a picture. */
function imageType(bytes: Buffer): string | null {
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}
