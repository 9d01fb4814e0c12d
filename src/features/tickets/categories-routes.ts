import { Router, type Request, type Response } from 'express';
import { TicketCategory } from '../../entities/index.ts';
import { findByIdOr404 } from '../../http/find.ts';
import { field, fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { addCategory, archiveCategory, categoriesWithUsage, CATEGORY_NAME_MAX, deleteCategory, moveCategory, renameCategory, restoreCategory } from './categories.ts';

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

const loadCategory = (req: Request) => findByIdOr404(req.em, TicketCategory, req.params.categoryId);
const done = (res: Response, what: (typeof DONE)[number], category?: TicketCategory) =>
  res.redirect(303, `${BASE}?erledigt=${what}${category ? `#category-${category.id}` : ''}`);

/** Administration › Vorgangsthemen, mounted at /verwaltung/administration/vorgangsthemen (admins). */
export function categoryAdminRoutes() {
  const router = Router();

  router.get('/', (req, res) => showCategories(req, res));

  router.post('/', async (req, res) => {
    const name = field(req.body.name);
    const problem = await addCategory(req.em, req.staff!, name, req.deps.clock.now());
    if (problem) return showCategories(req, res, { addName: name, errors: { name: problem } }, 422);
    done(res, 'added');
  });

  router.post('/:categoryId/umbenennen', async (req, res) => {
    const category = await loadCategory(req);
    const name = field(req.body.name);
    const problem = await renameCategory(req.em, req.staff!, category, name, req.deps.clock.now());
    if (problem) return showCategories(req, res, { rowId: category.id, rowName: name, errors: { [`rename-${category.id}`]: problem } }, 422);
    done(res, 'renamed', category);
  });

  for (const [path, direction] of [['hoch', 'up'], ['runter', 'down']] as const) {
    router.post(`/:categoryId/${path}`, async (req, res) => {
      const category = await loadCategory(req);
      await moveCategory(req.em, req.staff!, category, direction, req.deps.clock.now());
      done(res, 'moved', category);
    });
  }

  router.post('/:categoryId/archivieren', async (req, res) => {
    const category = await loadCategory(req);
    await archiveCategory(req.em, req.staff!, category, req.deps.clock.now());
    done(res, 'archived', category);
  });

  router.post('/:categoryId/wiederherstellen', async (req, res) => {
    const category = await loadCategory(req);
    const problem = await restoreCategory(req.em, req.staff!, category, req.deps.clock.now());
    if (problem) return showCategories(req, res, { rowId: category.id, errors: { [`row-${category.id}`]: problem } }, 422);
    done(res, 'restored', category);
  });

  router.post('/:categoryId/loeschen', async (req, res) => {
    const category = await loadCategory(req);
    const problem = await deleteCategory(req.em, req.staff!, category, req.deps.clock.now());
    if (problem) return showCategories(req, res, { rowId: category.id, errors: { [`row-${category.id}`]: problem } }, 422);
    done(res, 'deleted');
  });

  return router;
}
