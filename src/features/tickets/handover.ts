import type { Em } from '../../db/orm.ts';
import type { Ticket } from '../../entities/index.ts';

/**
 * What the detail page's handover panel (views/tickets/_handover.eta) shows: linked
 * documents, forwarding to a Dienstleister, merging a duplicate.
 */
export async function handoverPanel(_em: Em, _ticket: Ticket): Promise<Record<string, unknown>> {
  return {};
}
