import { Router, type Request, type Response } from 'express';
import type { TicketCategory } from '../../entities/index.ts';
import { field, fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { adminScope, ticketCategoryScope } from '../../scopes/staff.ts';
import {
  addCategory,
  archiveCategory,
  categoriesWithUsage,
  CATEGORY_NAME_MAX,
  deleteCategory,
  moveCategory,
  renameCategory,
  restoreCategory,
} from './categories.ts';

const BASE = '/verwaltung/administration/vorgangsthemen';
const DONE = ['added', 'renamed', 'moved', 'archived', 'restored', 'deleted'] as const;

type PageState = {
  /** "Thema hinzufügen" as submitted. */
  addName?: string;
  /** A refused change of one Thema: its id, the name typed, the message. */
  rowId?: string;
  rowName?: string;
  errors?: Partial<Record<string, FieldMessage>>;
};

/** The list of Themen with their forms; a refused form comes back with its message at the field (422). */
async function showCategories(req: Request, res: Response, state: PageState = {}, status = 200) {
  render(
    req,
    res,
    'tickets/categories',
    {
      title: req.t('tickets-console:categories.title'),
      rows: await categoriesWithUsage(req.em),
      addName: state.addName ?? '',
      rowId: state.rowId ?? null,
      rowName: state.rowName ?? '',
      errors: fieldMessages(req.t, state.errors ?? {}),
      nameMax: CATEGORY_NAME_MAX,
      done: DONE.find((d) => d === req.query.erledigt) ?? null,
    },
    status,
  );
}

const done = (res: Response, what: (typeof DONE)[number], category?: TicketCategory) =>
  res.redirect(303, `${BASE}?erledigt=${what}${category ? `#category-${category.id}` : ''}`);

/** Administration › Vorgangsthemen, mounted at /verwaltung/administration/vorgangsthemen (admins). */
export function categoryAdminRoutes() {
  const router = Router();

  router.get(
    '/',
    scoped(adminScope, (req, res) => showCategories(req, res)),
  );

  router.post(
    '/',
    scoped(adminScope, async (req, res, { staff }) => {
      const name = field(req.body.name);
      const problem = await addCategory(req.em, staff, name, req.deps.clock.now());
      if (problem) return showCategories(req, res, { addName: name, errors: { name: problem } }, 422);
      done(res, 'added');
    }),
  );

  router.post(
    '/:categoryId/umbenennen',
    scoped(ticketCategoryScope, async (req, res, { staff, category }) => {
      const name = field(req.body.name);
      const problem = await renameCategory(req.em, staff, category, name, req.deps.clock.now());
      if (problem) return showCategories(req, res, { rowId: category.id, rowName: name, errors: { [`rename-${category.id}`]: problem } }, 422);
      done(res, 'renamed', category);
    }),
  );

  for (const [path, direction] of [
    ['hoch', 'up'],
    ['runter', 'down'],
  ] as const) {
    router.post(
      `/:categoryId/${path}`,
      scoped(ticketCategoryScope, async (req, res, { staff, category }) => {
        await moveCategory(req.em, staff, category, direction, req.deps.clock.now());
        done(res, 'moved', category);
      }),
    );
  }

  router.post(
    '/:categoryId/archivieren',
    scoped(ticketCategoryScope, async (req, res, { staff, category }) => {
      await archiveCategory(req.em, staff, category, req.deps.clock.now());
      done(res, 'archived', category);
    }),
  );

  router.post(
    '/:categoryId/wiederherstellen',
    scoped(ticketCategoryScope, async (req, res, { staff, category }) => {
      const problem = await restoreCategory(req.em, staff, category, req.deps.clock.now());
      if (problem) return showCategories(req, res, { rowId: category.id, errors: { [`row-${category.id}`]: problem } }, 422);
      done(res, 'restored', category);
    }),
  );

  router.post(
    '/:categoryId/loeschen',
    scoped(ticketCategoryScope, async (req, res, { staff, category }) => {
      const problem = await deleteCategory(req.em, staff, category, req.deps.clock.now());
      if (problem) return showCategories(req, res, { rowId: category.id, errors: { [`row-${category.id}`]: problem } }, 422);
      done(res, 'deleted');
    }),
  );

  return router;
}
