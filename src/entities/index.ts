// Every entity of Hausportal. The ORM config registers this list; the tenant filter
// (src/db/tenant.ts) names those that belong to a Verwaltung.
export * from './organization.ts';
export * from './staff-user.ts';
export * from './property.ts';
export * from './contact.ts';
export * from './service-provider.ts';
export * from './portal-user.ts';
export * from './auth.ts';
export * from './mail.ts';
export * from './audit-log.ts';
export * from './content.ts';
export * from './invitation.ts';
export * from './document.ts';
export * from './ticket.ts';
export * from './masterdata-import.ts';
export * from './accounting.ts';
export * from './notification.ts';
export * from './community-board.ts';
export * from './staff-signin.ts';
export * from './booking.ts';
export * from './neighbours.ts';
export * from './contact-change.ts';
export * from './display.ts';
export * from './service-order.ts';
