import { Router, type Request } from 'express';
import { Property } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { staffScope } from '../../scopes/staff.ts';
import { CONTENT_TYPES, listContent, type ContentFilter, type ContentType } from './service.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the filter form; anything malformed is ignored rather than an error. */
function filterFrom(req: Request): ContentFilter {
  const q = req.query;
  return {
    type: (CONTENT_TYPES as readonly string[]).includes(String(q.typ)) ? (String(q.typ) as ContentType) : undefined,
    propertyId: isUuid(q.liegenschaft) ? q.liegenschaft : undefined,
    from: typeof q.von === 'string' && DAY.test(q.von) ? q.von : undefined,
    to: typeof q.bis === 'string' && DAY.test(q.bis) ? q.bis : undefined,
  };
}

// Neuer Inhalt: the entry to every kind of content, and the list of all of it with filters.
export function consoleRoutes() {
  const router = Router();

  router.get(
    '/neuer-inhalt',
    scoped(staffScope, async (req, res) => {
      const filter = filterFrom(req);
      const properties = await req.em.find(Property, { archivedAt: null }, { orderBy: { name: 'asc' }, fields: ['id', 'name'] });
      // A property that is not ours matches nothing (not even "Alle Liegenschaften" content).
      const foreign = filter.propertyId && !properties.some((p) => p.id === filter.propertyId);
      const rows = foreign ? [] : await listContent(req.em, filter, req.t('content:allProperties'));
      const view = req.get('hx-target') === 'content-results' ? 'content/_results' : 'content/index';
      render(req, res, view, { title: req.t('console:nav.newContent'), rows, properties, filter });
    }),
  );

  return router;
}
