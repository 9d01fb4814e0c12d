import type { Em } from '../../db/orm.ts';
import { Address, Contact, SHARE_GROUPS, Unit, type DocumentShare, type Property, type ShareGroup } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import type { ShareTarget } from './service.ts';

/**
 * "Geteilt mit" in a form: one field `share`, each value a token —
 * `property`, `group:<group>`, `address:<id>`, `unit:<id>`, `contact:<id>` — so the chosen
 * options come back as they were when the form is shown again.
 */
export type ShareToken = string;

/**
 * Where the form was sent from. `property` is the property the document belongs to (null
 * for a contact-page upload without property: then only the page's contact can be chosen).
 * `contacts` are contacts that may be chosen besides those with a contract in the property:
 * the contact of the page, or those a property-less document is already shared with.
 */
export type ShareContext = { property: Property | null; contactIds?: string[] };

/** The one spelling of a token: `property`, or `<kind>:<group or id>`. */
const token = (kind: ShareTarget['kind'], value: string | null | undefined): ShareToken => (kind === 'property' ? 'property' : `${kind}:${value}`);

/** A share row as a form token. */
export function shareToken(
  share: Pick<DocumentShare, 'kind' | 'group'> & { address?: { id: string } | null; unit?: { id: string } | null; contact?: { id: string } | null },
): ShareToken {
  return token(share.kind, share.kind === 'group' ? share.group : (share.address ?? share.unit ?? share.contact)?.id);
}

/** A ShareTarget as a form token (to compare an edit with the existing rows). */
export function targetToken(target: ShareTarget): ShareToken {
  const value =
    target.kind === 'group'
      ? target.group
      : target.kind === 'address'
        ? target.addressId
        : target.kind === 'unit'
          ? target.unitId
          : target.kind === 'contact'
            ? target.contactId
            : null;
  return token(target.kind, value);
}

/** The `share` values of a submitted form, deduplicated (a single value arrives as a string). */
export function shareTokens(value: unknown): ShareToken[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length < 100))];
}

/**
 * Turns the chosen "Geteilt mit" options into share targets, checking every id against the
 * Verwaltung (the scoped EntityManager) and the property: addresses and units of the
 * property, contacts with a contract there (or named in the context). Anything else — an id
 * of another property or Verwaltung, a made-up token — is an error, never silently dropped.
 * Returns the i18n key of the problem as `error`.
 */
export async function resolveShareTargets(em: Em, context: ShareContext, values: ShareToken[]): Promise<{ targets: ShareTarget[]; error?: string }> {
  if (values.length === 0) return { targets: [], error: 'documents:errors.noShare' };
  const invalid = { targets: [], error: 'documents:errors.invalidShare' };
  const property = context.property;
  const ids = { address: [] as string[], unit: [] as string[], contact: [] as string[] };
  const targets: ShareTarget[] = [];
  for (const value of values) {
    const [kind, id] = value.split(':', 2);
    if (kind === 'property' && id === undefined) {
      if (!property) return invalid;
      targets.push({ kind: 'property', propertyId: property.id });
    } else if (kind === 'group') {
      if (!property || !(SHARE_GROUPS as readonly string[]).includes(id)) return invalid;
      targets.push({ kind: 'group', propertyId: property.id, group: id as ShareGroup });
    } else if ((kind === 'address' || kind === 'unit' || kind === 'contact') && isUuid(id)) {
      ids[kind].push(id);
    } else {
      return invalid;
    }
  }

  if (ids.address.length > 0) {
    if (!property) return invalid;
    const found = await em.find(Address, { id: { $in: ids.address }, property }, { fields: ['id'] });
    if (found.length !== ids.address.length) return invalid;
    targets.push(...ids.address.map((addressId) => ({ kind: 'address' as const, addressId })));
  }
  if (ids.unit.length > 0) {
    if (!property) return invalid;
    const found = await em.find(Unit, { id: { $in: ids.unit }, property, archivedAt: null }, { fields: ['id'] });
    if (found.length !== ids.unit.length) return invalid;
    targets.push(...ids.unit.map((unitId) => ({ kind: 'unit' as const, unitId })));
  }
  if (ids.contact.length > 0) {
    const named = new Set(context.contactIds ?? []);
    const others = ids.contact.filter((id) => !named.has(id));
    if (others.length > 0) {
      if (!property) return invalid;
      const found = await em.find(Contact, { id: { $in: others }, contracts: { unit: { property } } }, { fields: ['id'] });
      if (found.length !== others.length) return invalid;
    }
    // Named contacts come from the page (loaded through the scoped EntityManager) or the document's own shares.
    targets.push(...ids.contact.map((contactId) => ({ kind: 'contact' as const, contactId })));
  }
  return { targets };
}
