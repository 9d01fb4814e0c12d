import { Display } from '../entities/index.ts';
import { within } from './scope.ts';
import { findInScope, propertyScope } from './staff.ts';

// Digitaler Hausaushang (src/features/displays): a screen is found only among the screens of
// the URL's property, which is found among the staff member's Verwaltung's. The public page
// finds its screen by the token alone (src/features/displays/screen.ts `openDisplay`).

/** A screen of the URL's property (…/hausaushang/:displayId). */
export const displayScope = within(propertyScope, 'display', async ({ property }, req) => ({
  display: await findInScope(req, Display, 'displayId', { property: property.id }),
}));
