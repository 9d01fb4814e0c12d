import type { ServiceOrder } from '../../entities/index.ts';
import { isUuid } from '../../http/find.ts';
import { sign, verify } from '../notifications/links.ts';

/**
 * The signed link of a forwarding mail: a Dienstleister without a login sets the status, a
 * date and a comment of ONE Auftrag with it. It names the order and its link version and is
 * signed with the app secret; a forward again raises the version (the older mail's link
 * stops working), and closing the order ends it (./access.ts isClosed, checked by the scope).
 */
export const ORDER_LINK_PATH = '/auftrag';

/** The token in the link: order id, version, signature. */
export function orderToken(order: Pick<ServiceOrder, 'id' | 'linkVersion'>): string {
  return `${order.id}.${order.linkVersion}.${sign('order', order.id, String(order.linkVersion))}`;
}

export function orderLink(baseUrl: string, order: Pick<ServiceOrder, 'id' | 'linkVersion'>): string {
  return `${baseUrl.replace(/\/$/, '')}${ORDER_LINK_PATH}/${orderToken(order)}`;
}

/** The order id and version a token names, when its signature is right; null for anything altered. */
export function readOrderToken(token: string): { orderId: string; version: number } | null {
  const [orderId, version, signature, ...rest] = token.split('.');
  if (rest.length > 0 || !orderId || !version || !signature || !isUuid(orderId) || !/^\d{1,9}$/.test(version)) return null;
  return verify(signature, 'order', orderId, version) ? { orderId, version: Number(version) } : null;
}
