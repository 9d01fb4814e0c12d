import { Migration } from '@mikro-orm/migrations';

/** Seed 001's Community switches and "Service - Buchungen", each chosen per property where the article says so. */
export class Migration20261206121000_community_booking_switches extends Migration {
  override name = 'Migration20261206121000_community_booking_switches';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "organization" add column "bookings_enabled" boolean not null default false, add column "direct_messages_enabled" boolean not null default false, add column "community_enabled" boolean not null default false, add column "commercial_bulletin_enabled" boolean not null default false, add column "neighbour_profile_enabled" boolean not null default false;`,
    );
    this.addSql(
      `alter table "property" add column "community_enabled" boolean not null default false, add column "bookings_enabled" boolean not null default false;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "organization" drop column "bookings_enabled", drop column "direct_messages_enabled", drop column "community_enabled", drop column "commercial_bulletin_enabled", drop column "neighbour_profile_enabled";`,
    );
    this.addSql(`alter table "property" drop column "community_enabled", drop column "bookings_enabled";`);
  }
}
