import { AREA } from '../../auth/middleware.ts';
import type { Area } from '../../entities/index.ts';

// Staff start at the Übersicht (src/features/console), residents at their property.
export const HOME: Record<Area, string> = { staff: '/verwaltung', portal: '/portal' };

/** Only paths inside the area's own section are followed after login (no open redirect). */
export function safeNext(area: Area, next: unknown): string {
  const base = AREA[area].basePath;
  if (typeof next === 'string' && next.startsWith(`${base}/`) && !next.startsWith('//') && !next.includes('\\')) return next;
  return HOME[area];
}
