import { Router, type NextFunction, type Request, type Response } from 'express';
import { Address, Property, Unit } from '../../entities/index.ts';
import { NotFoundError } from '../../http/errors.ts';
import { isUuid } from '../../http/find.ts';
import { fieldMessages } from '../../http/forms.ts';
import { render } from '../../http/views.ts';
import { withoutErpLocked } from '../masterdata/ownership.ts';
import { checkExternalId, consoleLocked, createAddress, createProperty, createUnit, setArchived, updateRecord, type AdminKind } from './admin-service.ts';
import { ADDRESS_FORM, formFromBody, formOfRecord, NEW_PROPERTY_FORM, parseForm, PROPERTY_FORM, UNIT_FORM, type Form, type FormErrors, type FormSpec } from './forms.ts';
import { loadProperty } from './routes.ts';

// Console: create, edit, archive and restore Liegenschaften, their Adressen and Einheiten.
// Mounted at /verwaltung/liegenschaften (staff) BEFORE ./routes.ts, so "/neu" is not taken
// for a property id. The unit page itself is src/features/documents/console-routes.ts.

const BASE = '/verwaltung/liegenschaften';

/** Loads an address of the URL's property, archived ones too (404 for any other). */
async function loadAddress(req: Request, res: Response, next: NextFunction) {
  if (!isUuid(req.params.addressId)) throw new NotFoundError('malformed address id');
  const address = await req.em.findOne(Address, { id: req.params.addressId, property: res.locals.property });
  if (!address) throw new NotFoundError(`address ${req.params.addressId} not in property`);
  res.locals.address = address;
  next();
}

/** Loads a unit of the URL's property, archived ones too (404 for any other). */
export async function loadAnyUnit(req: Request, res: Response, next: NextFunction) {
  if (!isUuid(req.params.unitId)) throw new NotFoundError('malformed unit id');
  const unit = await req.em.findOne(Unit, { id: req.params.unitId, property: res.locals.property }, { populate: ['address'] });
  if (!unit) throw new NotFoundError(`unit ${req.params.unitId} not in property`);
  res.locals.unit = unit;
  next();
}

type FormPage = {
  kind: AdminKind;
  record: (Record<string, unknown> & { id: string; erpSyncedAt: Date | null }) | null;
  specs: FormSpec[];
  form: Form;
  errors?: FormErrors;
  action: string;
  back: string;
  title: string;
};

/** The form of a property, address or unit: new, filled from the record, or as submitted with its messages. */
async function showForm(req: Request, res: Response, page: FormPage, status = 200) {
  const property: Property | undefined = res.locals.property;
  // A unit chooses among its property's addresses; an archived one only if it is already its own.
  const addresses =
    page.kind === 'units' && property
      ? (await req.em.find(Address, { property }, { orderBy: { street: 'asc', houseNumber: 'asc', id: 'asc' } })).filter((a) => !a.archivedAt || a.id === page.form.address)
      : [];
  render(
    req,
    res,
    'properties/form',
    {
      ...page,
      locked: consoleLocked(page.kind, page.record),
      errors: fieldMessages(req.t, page.errors ?? {}),
      addresses,
      returnTo: req.originalUrl,
    },
    status,
  );
}

/** The address of a unit form: one of the property's (not archived, unless already the unit's). */
async function resolveUnitAddress(req: Request, property: Property, values: Record<string, unknown>, errors: FormErrors, current: Unit | null) {
  if (!('address' in values) || values.address === null) return;
  const id = values.address;
  const address = isUuid(id) ? await req.em.findOne(Address, { id, property }) : null;
  if (!address || (address.archivedAt && current?.address?.id !== address.id)) errors.address = 'properties-admin:errors.address';
  else values.address = address;
}

/** The confirmation page of "Archivieren" (works without JavaScript). */
function confirmArchive(req: Request, res: Response, kind: AdminKind, name: string, action: string, back: string) {
  render(req, res, 'properties/archive', { title: req.t(`properties-admin:archive.title.${kind}`), kind, name, action, back });
}

export function propertyAdminRoutes() {
  const router = Router();

  // --- Liegenschaften ---
  router.get('/neu', async (req, res) => {
    await showForm(req, res, { kind: 'properties', record: null, specs: NEW_PROPERTY_FORM, form: { ...formFromBody({}, NEW_PROPERTY_FORM), kind: 'weg' }, action: BASE, back: BASE, title: req.t('properties-admin:property.new') });
  });

  router.post('/', async (req, res) => {
    const form = formFromBody(req.body, NEW_PROPERTY_FORM);
    const { values, errors } = parseForm(form, NEW_PROPERTY_FORM);
    await checkExternalId(req.em, Property, values, errors);
    if (Object.keys(errors).length > 0) {
      return showForm(req, res, { kind: 'properties', record: null, specs: NEW_PROPERTY_FORM, form, errors, action: BASE, back: BASE, title: req.t('properties-admin:property.new') }, 422);
    }
    const property = createProperty(req.em, req.staff!, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `${BASE}/${property.id}`);
  });

  const propertyForm = (req: Request, res: Response, form?: Form, errors?: FormErrors): FormPage => {
    const property: Property = res.locals.property;
    return {
      kind: 'properties',
      record: property as never,
      specs: PROPERTY_FORM,
      form: form ?? formOfRecord(property as never, PROPERTY_FORM),
      errors,
      action: `${BASE}/${property.id}/bearbeiten`,
      back: `${BASE}/${property.id}`,
      title: req.t('properties-admin:property.edit', { name: property.name }),
    };
  };

  router.get('/:propertyId/bearbeiten', loadProperty, async (req, res) => {
    await showForm(req, res, propertyForm(req, res));
  });

  router.post('/:propertyId/bearbeiten', loadProperty, async (req, res) => {
    const property: Property = res.locals.property;
    const { form, values, errors } = readEdit(req.body, 'properties', property as never, PROPERTY_FORM);
    await checkExternalId(req.em, Property, values, errors, property.id);
    if (Object.keys(errors).length > 0) return showForm(req, res, propertyForm(req, res, form, errors), 422);
    updateRecord(req.em, req.staff!, 'properties', property as never, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `${BASE}/${property.id}`);
  });

  router.get('/:propertyId/archivieren', loadProperty, (req, res) => {
    const property: Property = res.locals.property;
    confirmArchive(req, res, 'properties', property.name, `${BASE}/${property.id}/archivieren`, `${BASE}/${property.id}`);
  });

  for (const [path, archived] of [['archivieren', true], ['wiederherstellen', false]] as const) {
    router.post(`/:propertyId/${path}`, loadProperty, async (req, res) => {
      const property: Property = res.locals.property;
      setArchived(req.em, req.staff!, 'properties', property, archived, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${property.id}`);
    });
  }

  // --- Adressen of a Liegenschaft ---
  const addressForm = (req: Request, res: Response, form?: Form, errors?: FormErrors): FormPage => {
    const property: Property = res.locals.property;
    const address: Address | undefined = res.locals.address;
    return {
      kind: 'addresses',
      record: (address ?? null) as never,
      specs: ADDRESS_FORM,
      form: form ?? (address ? formOfRecord(address as never, ADDRESS_FORM) : formFromBody({}, ADDRESS_FORM)),
      errors,
      action: address ? `${BASE}/${property.id}/adressen/${address.id}/bearbeiten` : `${BASE}/${property.id}/adressen`,
      back: `${BASE}/${property.id}`,
      title: address ? req.t('properties-admin:address.edit', { name: `${address.street} ${address.houseNumber}` }) : req.t('properties-admin:address.new', { name: property.name }),
    };
  };

  router.get('/:propertyId/adressen/neu', loadProperty, async (req, res) => {
    await showForm(req, res, addressForm(req, res));
  });

  router.post('/:propertyId/adressen', loadProperty, async (req, res) => {
    const form = formFromBody(req.body, ADDRESS_FORM);
    const { values, errors } = parseForm(form, ADDRESS_FORM);
    await checkExternalId(req.em, Address, values, errors);
    if (Object.keys(errors).length > 0) return showForm(req, res, addressForm(req, res, form, errors), 422);
    createAddress(req.em, req.staff!, res.locals.property, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `${BASE}/${res.locals.property.id}`);
  });

  router.get('/:propertyId/adressen/:addressId/bearbeiten', loadProperty, loadAddress, async (req, res) => {
    await showForm(req, res, addressForm(req, res));
  });

  router.post('/:propertyId/adressen/:addressId/bearbeiten', loadProperty, loadAddress, async (req, res) => {
    const address: Address = res.locals.address;
    const { form, values, errors } = readEdit(req.body, 'addresses', address as never, ADDRESS_FORM);
    await checkExternalId(req.em, Address, values, errors, address.id);
    if (Object.keys(errors).length > 0) return showForm(req, res, addressForm(req, res, form, errors), 422);
    updateRecord(req.em, req.staff!, 'addresses', address as never, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `${BASE}/${res.locals.property.id}`);
  });

  router.get('/:propertyId/adressen/:addressId/archivieren', loadProperty, loadAddress, (req, res) => {
    const address: Address = res.locals.address;
    const back = `${BASE}/${res.locals.property.id}`;
    confirmArchive(req, res, 'addresses', `${address.street} ${address.houseNumber}, ${address.postalCode} ${address.city}`, `${back}/adressen/${address.id}/archivieren`, back);
  });

  for (const [path, archived] of [['archivieren', true], ['wiederherstellen', false]] as const) {
    router.post(`/:propertyId/adressen/:addressId/${path}`, loadProperty, loadAddress, async (req, res) => {
      setArchived(req.em, req.staff!, 'addresses', res.locals.address, archived, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${res.locals.property.id}`);
    });
  }

  // --- Einheiten of a Liegenschaft (the unit page: src/features/documents/console-routes.ts) ---
  const unitForm = (req: Request, res: Response, form?: Form, errors?: FormErrors): FormPage => {
    const property: Property = res.locals.property;
    const unit: Unit | undefined = res.locals.unit;
    const kindDefault = { ...formFromBody({}, UNIT_FORM), kind: 'apartment' };
    return {
      kind: 'units',
      record: (unit ?? null) as never,
      specs: UNIT_FORM,
      form: form ?? (unit ? formOfRecord(unit as never, UNIT_FORM) : kindDefault),
      errors,
      action: unit ? `${BASE}/${property.id}/einheiten/${unit.id}/bearbeiten` : `${BASE}/${property.id}/einheiten`,
      back: unit ? `${BASE}/${property.id}/einheiten/${unit.id}` : `${BASE}/${property.id}/einheiten`,
      title: unit ? req.t('properties-admin:unit.edit', { name: unit.number }) : req.t('properties-admin:unit.new', { name: property.name }),
    };
  };

  router.get('/:propertyId/einheiten/neu', loadProperty, async (req, res) => {
    await showForm(req, res, unitForm(req, res));
  });

  router.post('/:propertyId/einheiten', loadProperty, async (req, res) => {
    const property: Property = res.locals.property;
    const form = formFromBody(req.body, UNIT_FORM);
    const { values, errors } = parseForm(form, UNIT_FORM);
    await resolveUnitAddress(req, property, values, errors, null);
    await checkExternalId(req.em, Unit, values, errors);
    if (Object.keys(errors).length > 0) return showForm(req, res, unitForm(req, res, form, errors), 422);
    const unit = createUnit(req.em, req.staff!, property, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `${BASE}/${property.id}/einheiten/${unit.id}`);
  });

  router.get('/:propertyId/einheiten/:unitId/bearbeiten', loadProperty, loadAnyUnit, async (req, res) => {
    await showForm(req, res, unitForm(req, res));
  });

  router.post('/:propertyId/einheiten/:unitId/bearbeiten', loadProperty, loadAnyUnit, async (req, res) => {
    const unit: Unit = res.locals.unit;
    const { form, values, errors } = readEdit(req.body, 'units', unit as never, UNIT_FORM);
    await resolveUnitAddress(req, res.locals.property, values, errors, unit);
    await checkExternalId(req.em, Unit, values, errors, unit.id);
    if (Object.keys(errors).length > 0) return showForm(req, res, unitForm(req, res, form, errors), 422);
    updateRecord(req.em, req.staff!, 'units', unit as never, values, req.deps.clock.now());
    await req.em.flush();
    res.redirect(303, `${BASE}/${res.locals.property.id}/einheiten/${unit.id}`);
  });

  router.get('/:propertyId/einheiten/:unitId/archivieren', loadProperty, loadAnyUnit, (req, res) => {
    const unit: Unit = res.locals.unit;
    const back = `${BASE}/${res.locals.property.id}/einheiten/${unit.id}`;
    confirmArchive(req, res, 'units', unit.number, `${back}/archivieren`, back);
  });

  for (const [path, archived] of [['archivieren', true], ['wiederherstellen', false]] as const) {
    router.post(`/:propertyId/einheiten/:unitId/${path}`, loadProperty, loadAnyUnit, async (req, res) => {
      setArchived(req.em, req.staff!, 'units', res.locals.unit, archived, req.deps.clock.now());
      await req.em.flush();
      res.redirect(303, `${BASE}/${res.locals.property.id}/einheiten/${res.locals.unit.id}`);
    });
  }

  return router;
}

/**
 * An edit form as submitted, checked. The fields the ERP owns are disabled in the form; on
 * the server they keep the stored value whatever was posted (withoutErpLocked).
 */
function readEdit(body: Record<string, unknown> | undefined, kind: AdminKind, record: Record<string, unknown> & { erpSyncedAt: Date | null }, specs: FormSpec[]) {
  const locked = consoleLocked(kind, record);
  const stored = formOfRecord(record, specs);
  const form: Form = { ...formFromBody(body, specs), ...Object.fromEntries([...locked].filter((name) => name in stored).map((name) => [name, stored[name]])) };
  const { values, errors } = parseForm(form, specs);
  return { form, values: withoutErpLocked(values, locked) as Record<string, unknown>, errors: withoutErpLocked(errors, locked) as FormErrors };
}
