import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { Address, type Property, type Unit } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import { fieldMessages } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import {
  checkEdit,
  checkExternalId,
  checkKindFields,
  consoleLocked,
  formFromBody,
  formOfRecord,
  fieldProblem,
  updateRecord,
  type Form,
  type FormErrors,
} from '../masterdata/console-edit.ts';
import { scoped } from '../../scopes/scope.ts';
import { addressScope, propertyScope, staffScope, unitScope } from '../../scopes/staff.ts';
import { archiveRoutes } from '../masterdata/archive-actions.ts';
import type { MasterDataKind } from '../masterdata/kinds/index.ts';
import { addresses as addressKind } from '../masterdata/kinds/addresses.ts';
import { properties as propertyKind } from '../masterdata/kinds/properties.ts';
import { units as unitKind } from '../masterdata/kinds/units.ts';
import { AUDIT_TYPE, createAddress, createProperty, createUnit, type EditKind } from './edit-service.ts';

// Console: create, edit, archive and restore Liegenschaften, their Adressen and Einheiten.
// Mounted at /verwaltung/liegenschaften (staff) BEFORE ./routes.ts, so "/neu" is not taken
// for a property id. The unit page itself is src/features/units/routes.ts.

const BASE = '/verwaltung/liegenschaften';

/** A field as views/properties/form.eta shows it: its maxlength, a select's codes, a number, the unit's address select. */
type FormField = { name: string; max?: number; required?: boolean; codes?: readonly string[]; area?: boolean; ref?: boolean };

/** The kind's fields of each form, checked with the kind's FieldSpecs (checkKindFields). */
const KIND_FIELDS = {
  properties: ['name', 'kind'],
  addresses: ['street', 'houseNumber', 'postalCode', 'city'],
  units: ['number', 'kind', 'areaSqm', 'floor'],
} as const;
const KIND: Record<EditKind, MasterDataKind> = { properties: propertyKind, addresses: addressKind, units: unitKind };

function kindFields(kind: EditKind): FormField[] {
  return KIND_FIELDS[kind].map((name) => {
    const spec = KIND[kind].fields.find((f) => f.property === name)!;
    return { name, max: spec.max, required: spec.required, codes: spec.choices && Object.keys(spec.choices), area: spec.schema instanceof z.ZodNumber };
  });
}

const EXTERNAL_ID: FormField = { name: 'externalId', max: 100 };
const PROPERTY_FORM = [...kindFields('properties'), EXTERNAL_ID];
/** "Neue Liegenschaft" asks for the first address too. */
const NEW_PROPERTY_FORM = [...PROPERTY_FORM, ...kindFields('addresses')];
const ADDRESS_FORM = [...kindFields('addresses'), EXTERNAL_ID];
/** A unit's address is one of its property's, chosen in a select (resolveUnitAddress). */
const UNIT_FORM = [...kindFields('units'), { name: 'address', ref: true }, EXTERNAL_ID];

const names = (specs: FormField[]) => specs.map((spec) => spec.name);

type FormPage = {
  kind: EditKind;
  /** The property of an address or unit form (its addresses are the unit's choices); none for a new property. */
  property: Property | null;
  record: Property | Address | Unit | null;
  specs: FormField[];
  form: Form;
  errors?: FormErrors;
  action: string;
  back: string;
  title: string;
};

/** The form of a property, address or unit: new, filled from the record, or as submitted with its messages. */
async function showForm(req: Request, res: Response, page: FormPage, status = 200) {
  const { property } = page;
  // A unit chooses among its property's addresses; an archived one only if it is already its own.
  const addresses =
    page.kind === 'units' && property
      ? (await req.em.find(Address, { property }, { orderBy: { street: 'asc', houseNumber: 'asc', id: 'asc' } })).filter(
          (a) => !a.archivedAt || a.id === page.form.address,
        )
      : [];
  render(
    req,
    res,
    'properties/form',
    {
      ...page,
      locked: consoleLocked(KIND[page.kind], page.record),
      errors: fieldMessages(req.t, page.errors ?? {}),
      addresses,
      returnTo: req.originalUrl,
    },
    status,
  );
}

/** The address of a unit form: none, or one of the property's (not archived, unless already the unit's). */
async function resolveUnitAddress(req: Request, property: Property, form: Form, errors: FormErrors, current: Unit | null) {
  if (!form.address) return null;
  const address = isUuid(form.address) ? await req.em.findOne(Address, { id: form.address, property }) : null;
  if (!address || (address.archivedAt && current?.address?.id !== address.id)) errors.address = fieldProblem('address_of_property');
  return address;
}

/**
 * A submitted form of a Liegenschaft (with the first address when new), Adresse or Einheit,
 * checked. The fields the ERP owns are disabled in the form; on the server they keep the
 * stored value whatever was posted, and are not written.
 */
function readForm(req: Request, kind: EditKind, specs: FormField[], record: Property | Address | Unit | null, property: Property | null = null) {
  return checkEdit({
    kind: KIND[kind],
    record,
    submitted: formFromBody(req.body, names(specs)),
    stored: () => formOfRecord(record, names(specs)),
    check: async (form) => {
      const checked = checkKindFields(KIND[kind], form, KIND_FIELDS[kind]);
      if (specs === NEW_PROPERTY_FORM) {
        const address = checkKindFields(addressKind, form, KIND_FIELDS.addresses);
        Object.assign(checked.values, address.values);
        Object.assign(checked.errors, address.errors);
      }
      if (kind === 'units') checked.values.address = await resolveUnitAddress(req, property!, form, checked.errors, record as Unit | null);
      await checkExternalId(req.em, KIND[kind].entity, form.externalId, record, checked);
      return checked;
    },
  });
}

/** The confirmation page of "Archivieren" (works without JavaScript). */
function confirmArchive(req: Request, res: Response, kind: EditKind, name: string, action: string, back: string) {
  render(req, res, 'properties/archive', { title: req.t(`properties-edit:archive.title.${kind}`), kind, name, action, back });
}

export function propertyEditRoutes() {
  const router = Router();

  // --- Liegenschaften ---
  const newPropertyForm = (req: Request, form?: Form, errors?: FormErrors): FormPage => ({
    kind: 'properties',
    property: null,
    record: null,
    specs: NEW_PROPERTY_FORM,
    form: form ?? { ...formOfRecord(null, names(NEW_PROPERTY_FORM)), kind: 'weg' },
    errors,
    action: BASE,
    back: BASE,
    title: req.t('properties-edit:property.new'),
  });

  router.get(
    '/neu',
    scoped(staffScope, async (req, res) => {
      await showForm(req, res, newPropertyForm(req));
    }),
  );

  router.post(
    '/',
    scoped(staffScope, async (req, res, { staff }) => {
      const { form, values, errors } = await readForm(req, 'properties', NEW_PROPERTY_FORM, null);
      if (Object.keys(errors).length > 0) return showForm(req, res, newPropertyForm(req, form, errors), 422);
      const property = createProperty(req.em, staff, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${property.id}`);
    }),
  );

  const propertyForm = (req: Request, property: Property, form?: Form, errors?: FormErrors): FormPage => ({
    kind: 'properties',
    property,
    record: property,
    specs: PROPERTY_FORM,
    form: form ?? formOfRecord(property, names(PROPERTY_FORM)),
    errors,
    action: `${BASE}/${property.id}/bearbeiten`,
    back: `${BASE}/${property.id}`,
    title: req.t('properties-edit:property.edit', { name: property.name }),
  });

  router.get(
    '/:propertyId/bearbeiten',
    scoped(propertyScope, async (req, res, { property }) => {
      await showForm(req, res, propertyForm(req, property));
    }),
  );

  router.post(
    '/:propertyId/bearbeiten',
    scoped(propertyScope, async (req, res, { staff, property }) => {
      const { form, values, errors } = await readForm(req, 'properties', PROPERTY_FORM, property);
      if (Object.keys(errors).length > 0) return showForm(req, res, propertyForm(req, property, form, errors), 422);
      updateRecord(req.em, staff, AUDIT_TYPE.properties, property, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${property.id}`);
    }),
  );

  router.get(
    '/:propertyId/archivieren',
    scoped(propertyScope, (req, res, { property }) => {
      confirmArchive(req, res, 'properties', property.name, `${BASE}/${property.id}/archivieren`, `${BASE}/${property.id}`);
    }),
  );

  archiveRoutes(router, '/:propertyId', propertyScope, ({ property }) => ({
    record: property,
    subjectType: AUDIT_TYPE.properties,
    back: `${BASE}/${property.id}`,
  }));

  // --- Adressen of a Liegenschaft ---
  const addressForm = (req: Request, property: Property, address: Address | null, form?: Form, errors?: FormErrors): FormPage => ({
    kind: 'addresses',
    property,
    record: address,
    specs: ADDRESS_FORM,
    form: form ?? formOfRecord(address, names(ADDRESS_FORM)),
    errors,
    action: address ? `${BASE}/${property.id}/adressen/${address.id}/bearbeiten` : `${BASE}/${property.id}/adressen`,
    back: `${BASE}/${property.id}`,
    title: address
      ? req.t('properties-edit:address.edit', { name: `${address.street} ${address.houseNumber}` })
      : req.t('properties-edit:address.new', { name: property.name }),
  });

  router.get(
    '/:propertyId/adressen/neu',
    scoped(propertyScope, async (req, res, { property }) => {
      await showForm(req, res, addressForm(req, property, null));
    }),
  );

  router.post(
    '/:propertyId/adressen',
    scoped(propertyScope, async (req, res, { staff, property }) => {
      const { form, values, errors } = await readForm(req, 'addresses', ADDRESS_FORM, null);
      if (Object.keys(errors).length > 0) return showForm(req, res, addressForm(req, property, null, form, errors), 422);
      createAddress(req.em, staff, property, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${property.id}`);
    }),
  );

  router.get(
    '/:propertyId/adressen/:addressId/bearbeiten',
    scoped(addressScope, async (req, res, { property, address }) => {
      await showForm(req, res, addressForm(req, property, address));
    }),
  );

  router.post(
    '/:propertyId/adressen/:addressId/bearbeiten',
    scoped(addressScope, async (req, res, { staff, property, address }) => {
      const { form, values, errors } = await readForm(req, 'addresses', ADDRESS_FORM, address);
      if (Object.keys(errors).length > 0) return showForm(req, res, addressForm(req, property, address, form, errors), 422);
      updateRecord(req.em, staff, AUDIT_TYPE.addresses, address, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${property.id}`);
    }),
  );

  router.get(
    '/:propertyId/adressen/:addressId/archivieren',
    scoped(addressScope, (req, res, { property, address }) => {
      const back = `${BASE}/${property.id}`;
      confirmArchive(
        req,
        res,
        'addresses',
        `${address.street} ${address.houseNumber}, ${address.postalCode} ${address.city}`,
        `${back}/adressen/${address.id}/archivieren`,
        back,
      );
    }),
  );

  archiveRoutes(router, '/:propertyId/adressen/:addressId', addressScope, ({ property, address }) => ({
    record: address,
    subjectType: AUDIT_TYPE.addresses,
    back: `${BASE}/${property.id}`,
  }));

  // --- Einheiten of a Liegenschaft (the unit page: src/features/units/routes.ts) ---
  const unitForm = (req: Request, property: Property, unit: Unit | null, form?: Form, errors?: FormErrors): FormPage => ({
    kind: 'units',
    property,
    record: unit,
    specs: UNIT_FORM,
    form: form ?? (unit ? formOfRecord(unit, names(UNIT_FORM)) : { ...formOfRecord(null, names(UNIT_FORM)), kind: 'apartment' }),
    errors,
    action: unit ? `${BASE}/${property.id}/einheiten/${unit.id}/bearbeiten` : `${BASE}/${property.id}/einheiten`,
    back: unit ? `${BASE}/${property.id}/einheiten/${unit.id}` : `${BASE}/${property.id}/einheiten`,
    title: unit ? req.t('properties-edit:unit.edit', { name: unit.number }) : req.t('properties-edit:unit.new', { name: property.name }),
  });

  router.get(
    '/:propertyId/einheiten/neu',
    scoped(propertyScope, async (req, res, { property }) => {
      await showForm(req, res, unitForm(req, property, null));
    }),
  );

  router.post(
    '/:propertyId/einheiten',
    scoped(propertyScope, async (req, res, { staff, property }) => {
      const { form, values, errors } = await readForm(req, 'units', UNIT_FORM, null, property);
      if (Object.keys(errors).length > 0) return showForm(req, res, unitForm(req, property, null, form, errors), 422);
      const unit = createUnit(req.em, staff, property, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${property.id}/einheiten/${unit.id}`);
    }),
  );

  router.get(
    '/:propertyId/einheiten/:unitId/bearbeiten',
    scoped(unitScope, async (req, res, { property, unit }) => {
      await showForm(req, res, unitForm(req, property, unit));
    }),
  );

  router.post(
    '/:propertyId/einheiten/:unitId/bearbeiten',
    scoped(unitScope, async (req, res, { staff, property, unit }) => {
      const { form, values, errors } = await readForm(req, 'units', UNIT_FORM, unit, property);
      if (Object.keys(errors).length > 0) return showForm(req, res, unitForm(req, property, unit, form, errors), 422);
      updateRecord(req.em, staff, AUDIT_TYPE.units, unit, values, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${property.id}/einheiten/${unit.id}`);
    }),
  );

  router.get(
    '/:propertyId/einheiten/:unitId/archivieren',
    scoped(unitScope, (req, res, { property, unit }) => {
      const back = `${BASE}/${property.id}/einheiten/${unit.id}`;
      confirmArchive(req, res, 'units', unit.number, `${back}/archivieren`, back);
    }),
  );

  archiveRoutes(router, '/:propertyId/einheiten/:unitId', unitScope, ({ property, unit }) => ({
    record: unit,
    subjectType: AUDIT_TYPE.units,
    back: `${BASE}/${property.id}/einheiten/${unit.id}`,
  }));

  return router;
}
