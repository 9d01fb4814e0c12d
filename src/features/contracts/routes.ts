import { Router, type Request, type Response } from 'express';
import { berlinDate } from '../../clock.ts';
import type { Contract, StaffUser } from '../../entities/index.ts';
import { fieldMessages, type FieldMessage } from '../../http/forms.ts';
import { listQuery } from '../../http/paging.ts';
import { render } from '../../http/views.ts';
import { scoped } from '../../scopes/scope.ts';
import { contractScope, staffScope } from '../../scopes/staff.ts';
import { archiveRoutes } from '../masterdata/archive-actions.ts';
import {
  checkContractForm,
  CONTRACT_KIND_FILTERS,
  CONTRACT_SORT_DEFAULT,
  CONTRACT_SORTS,
  CONTRACT_STATUSES,
  contractFilterOf,
  contractFormChoices,
  contractFormFrom,
  contractFormOf,
  contractLocked,
  createContract,
  newContractForm,
  searchContracts,
  updateContract,
  type ContractForm,
} from './service.ts';

const LIST = '/verwaltung/vertraege';
/** Notices after Vertrag anlegen/bearbeiten/archivieren (?erledigt=…), contacts-edit:contracts.notices.<key>. */
const NOTICES = ['angelegt', 'gespeichert', 'archiviert', 'wiederhergestellt'] as const;

/**
 * The Vertrag form, new or edit. Its two helper buttons ("Einheiten anzeigen" after choosing
 * the Liegenschaft, "Kontakte suchen") post the form to the same address with `aktion`: the
 * answer is the form again with the units / matches, the values kept, nothing saved.
 */
async function showContractForm(
  req: Request,
  res: Response,
  contract: Contract | null,
  form: ContractForm,
  errors: Record<string, FieldMessage> = {},
  status = 200,
) {
  render(
    req,
    res,
    'contracts/form',
    {
      title: req.t(contract ? 'contacts-edit:contracts.editTitle' : 'contacts-edit:contracts.newTitle'),
      contract,
      form,
      errors: fieldMessages(req.t, errors),
      locked: contractLocked(contract),
      ...(await contractFormChoices(req.em, form, contract)),
      action: contract ? `${LIST}/${contract.id}` : LIST,
    },
    status,
  );
}

/** Saves a submitted Vertrag form, or answers its helper buttons (see showContractForm). */
async function receiveContractForm(req: Request, res: Response, staff: StaffUser, contract: Contract | null) {
  const submitted = contractFormFrom(req.body);
  if (req.body?.aktion === 'liegenschaft' || req.body?.aktion === 'suchen') return showContractForm(req, res, contract, submitted);
  const { form, errors, values } = await checkContractForm(req.em, submitted, contract);
  if (Object.keys(errors).length) return showContractForm(req, res, contract, form, errors, 422);
  const now = req.deps.clock.now();
  const saved = contract ?? createContract(req.em, staff, values, now);
  if (contract) updateContract(req.em, staff, contract, values, now);
  await req.em.flush();
  res.redirect(303, `${LIST}/${saved.id}?erledigt=${contract ? 'gespeichert' : 'angelegt'}`);
}

/** Console: Verträge (Stammdaten), mounted at /verwaltung/vertraege (staff). */
export function contractRoutes() {
  const router = Router();

  router.get(
    '/',
    scoped(staffScope, async (req, res) => {
      const { sort, page, params: list } = listQuery(req, CONTRACT_SORTS, CONTRACT_SORT_DEFAULT);
      const filter = contractFilterOf(req.query, sort, page);
      const result = await searchContracts(req.em, filter, berlinDate(req.deps.clock.now()));
      const view = req.get('hx-target') === 'contract-results' ? 'contracts/_results' : 'contracts/index';
      const params = { q: filter.q, art: filter.kind, status: filter.status, sortierung: list.sortierung };
      render(req, res, view, {
        title: req.t('masterdata:kinds.contracts'),
        filter,
        sort,
        params,
        kinds: Object.keys(CONTRACT_KIND_FILTERS),
        statuses: CONTRACT_STATUSES,
        today: berlinDate(req.deps.clock.now()),
        ...result,
      });
    }),
  );

  router.get(
    '/neu',
    scoped(staffScope, async (req, res) => showContractForm(req, res, null, await newContractForm(req.em, req.query))),
  );
  router.post(
    '/',
    scoped(staffScope, (req, res, { staff }) => receiveContractForm(req, res, staff, null)),
  );

  router.get(
    '/:contractId',
    scoped(contractScope, (req, res, { contract }) => {
      render(req, res, 'contracts/show', {
        title: contract.contractNumber ?? req.t(`invitations:contact.contractKinds.${contract.kind}`),
        contract,
        notice: NOTICES.find((n) => n === req.query.erledigt) ?? null,
        today: berlinDate(req.deps.clock.now()),
      });
    }),
  );

  router.get(
    '/:contractId/bearbeiten',
    scoped(contractScope, (req, res, { contract }) => showContractForm(req, res, contract, contractFormOf(contract))),
  );
  router.post(
    '/:contractId',
    scoped(contractScope, (req, res, { staff, contract }) => receiveContractForm(req, res, staff, contract)),
  );

  // An archived contract grants no portal access (src/features/access/service.ts): its
  // contacts lose what they saw through it at once.
  archiveRoutes(router, '/:contractId', contractScope, ({ contract }) => ({
    record: contract,
    subjectType: 'contract',
    back: `${LIST}/${contract.id}`,
    notice: true,
  }));

  return router;
}
