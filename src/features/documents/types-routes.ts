import { Router, type Request, type Response } from 'express';
import type { DocumentType } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import { field } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { adminScope, documentTypeScope } from '../../scopes/staff.ts';
import {
  addType,
  deleteType,
  documentCountsByType,
  mergeType,
  moveType,
  possibleParents,
  renameType,
  reorderType,
  typeUsage,
  type TypeProblem,
} from './console-service.ts';
import { subtreeIds, typeTree } from './types.ts';

const BASE = '/verwaltung/administration/dokumententypen';
const DONE = ['added', 'renamed', 'moved', 'deleted', 'merged'] as const;

/** The tree page with "Neuer Dokumententyp"; `problem` and `form` for a refused add. */
async function showTree(req: Request, res: Response, form = { name: '', parent: '' }, problem: TypeProblem | null = null, status = 200) {
  const [types, counts] = await Promise.all([typeTree(req.em), documentCountsByType(req.em)]);
  const done = DONE.find((d) => d === req.query.erledigt) ?? null;
  render(
    req,
    res,
    'documents/types',
    { title: req.t('documents:types.title'), types, counts, form, errors: problem ? { name: req.t(`documents:types.problems.${problem}`) } : {}, done },
    status,
  );
}

/** One type's page: rename, move, delete or merge; `problems` by form. */
async function showType(
  req: Request,
  res: Response,
  type: DocumentType,
  problems: Partial<Record<'rename' | 'move' | 'delete' | 'merge', TypeProblem>> = {},
  values: Record<string, string> = {},
  status = 200,
) {
  const types = await typeTree(req.em);
  const node = types.find((n) => n.id === type.id)!;
  const below = subtreeIds(types, type.id);
  const errors = Object.fromEntries(Object.entries(problems).map(([k, p]) => [k, req.t(`documents:types.problems.${p}`)]));
  render(
    req,
    res,
    'documents/type',
    {
      title: type.name,
      type,
      node,
      types,
      parents: possibleParents(types, type.id),
      mergeTargets: types.filter((n) => !below.has(n.id)),
      usage: await typeUsage(req.em, type.id),
      errors,
      values: { name: type.name, parent: type.parent?.id ?? '', target: '', ...values },
      done: DONE.find((d) => d === req.query.erledigt) ?? null,
    },
    status,
  );
}

/** Administration > Dokumententypen: the folder tree; mounted at /verwaltung/administration/dokumententypen (admins). */
export function typeAdminRoutes() {
  const router = Router();

  router.get(
    '/',
    scoped(adminScope, (req, res) => showTree(req, res)),
  );

  router.post(
    '/',
    scoped(adminScope, async (req, res, { staff }) => {
      const form = { name: field(req.body.name), parent: field(req.body.parent) };
      const parentId = form.parent ? (isUuid(form.parent) ? form.parent : 'invalid') : null;
      const { problem } =
        parentId === 'invalid' ? { problem: 'parentMissing' as const } : await addType(req.em, staff, form.name, parentId, req.deps.clock.now());
      if (problem) return showTree(req, res, form, problem, 422);
      res.redirect(303, `${BASE}?erledigt=added`);
    }),
  );

  router.get(
    '/:documentTypeId',
    scoped(documentTypeScope, (req, res, { type }) => showType(req, res, type)),
  );

  router.post(
    '/:documentTypeId/umbenennen',
    scoped(documentTypeScope, async (req, res, { type }) => {
      const problem = await renameType(req.em, type, field(req.body.name));
      if (problem) return showType(req, res, type, { rename: problem }, { name: field(req.body.name) }, 422);
      res.redirect(303, `${BASE}/${type.id}?erledigt=renamed`);
    }),
  );

  router.post(
    '/:documentTypeId/verschieben',
    scoped(documentTypeScope, async (req, res, { type }) => {
      const parent = field(req.body.parent);
      const problem = parent && !isUuid(parent) ? 'parentMissing' : await moveType(req.em, type, parent || null);
      if (problem) return showType(req, res, type, { move: problem }, { parent }, 422);
      res.redirect(303, `${BASE}/${type.id}?erledigt=moved`);
    }),
  );

  for (const [path, direction] of [
    ['hoch', 'up'],
    ['runter', 'down'],
  ] as const) {
    router.post(
      `/:documentTypeId/${path}`,
      scoped(documentTypeScope, async (req, res, { type }) => {
        await reorderType(req.em, type, direction);
        res.redirect(303, `${BASE}#${`type-${type.id}`}`);
      }),
    );
  }

  router.post(
    '/:documentTypeId/loeschen',
    scoped(documentTypeScope, async (req, res, { type }) => {
      const problem = await deleteType(req.em, type);
      if (problem) return showType(req, res, type, { delete: problem }, {}, 422);
      res.redirect(303, `${BASE}?erledigt=deleted`);
    }),
  );

  router.post(
    '/:documentTypeId/zusammenfuehren',
    scoped(documentTypeScope, async (req, res, { staff, type }) => {
      const target = field(req.body.target);
      const problem = isUuid(target) ? await mergeType(req.em, staff, type, target, req.deps.clock.now()) : 'mergeTarget';
      if (problem) return showType(req, res, type, { merge: problem }, { target }, 422);
      res.redirect(303, `${BASE}?erledigt=merged`);
    }),
  );

  return router;
}
