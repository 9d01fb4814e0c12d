import type { PortalUser, StaffUser } from '../../entities/index.ts';

/**
 * Who may see a user's profile photo: the one rule, used by the photo routes
 * (src/scopes/profile.ts) and by every page that decides whether to show a photo.
 *
 * - everyone sees their own;
 * - staff of the Verwaltung see the photos of its residents and of their colleagues;
 * - residents see the photos of the Verwaltung's staff (their Ansprechpartner, a Vorgang's
 *   assignee), never another resident's. The community issue adds neighbours who chose to
 *   show theirs (Nachbarschaftsprofil) here, and nowhere else.
 *
 * Another Verwaltung's users are never visible.
 */
export type PhotoViewer = { area: 'portal'; user: PortalUser } | { area: 'staff'; user: StaffUser };
export type PhotoOwner = { kind: 'portal'; user: PortalUser } | { kind: 'staff'; user: StaffUser };

export function mayViewPhoto(viewer: PhotoViewer, owner: PhotoOwner): boolean {
  if (viewer.user.organization.id !== owner.user.organization.id) return false;
  if (viewer.area === owner.kind && viewer.user.id === owner.user.id) return true;
  if (viewer.area === 'staff') return true;
  return owner.kind === 'staff';
}
