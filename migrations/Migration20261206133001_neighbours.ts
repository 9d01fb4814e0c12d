import { Migration } from '@mikro-orm/migrations';

/** Issue 21: the neighbour list's opt-in profiles and the Direktnachrichten (src/entities/neighbours.ts). */
export class Migration20261206133001_neighbours extends Migration {
  override name = 'Migration20261206133001_neighbours';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "neighbour_profile" ("portal_user_id" uuid not null references "portal_user" ("id") on delete cascade, "property_id" uuid not null references "property" ("id") on delete cascade, "organization_id" uuid not null references "organization" ("id"), "listed" boolean not null default false, "show_name" boolean not null default false, "show_photo" boolean not null default false, "about" varchar(500) null, "location" varchar(100) null, "updated_at" timestamptz not null, primary key ("portal_user_id", "property_id"));`,
    );
    this.addSql(`create index "neighbour_profile_property_id_listed_index" on "neighbour_profile" ("property_id", "listed");`);

    this.addSql(
      `create table "conversation" ("id" uuid not null, "organization_id" uuid not null references "organization" ("id"), "property_id" uuid not null references "property" ("id") on delete cascade, "user_low_id" uuid not null references "portal_user" ("id") on delete cascade, "user_high_id" uuid not null references "portal_user" ("id") on delete cascade, "created_at" timestamptz not null, "last_message_at" timestamptz null, primary key ("id"), constraint "conversation_pair_check" check ("user_low_id" < "user_high_id"));`,
    );
    this.addSql(
      `alter table "conversation" add constraint "conversation_property_id_user_low_id_user_high_id_unique" unique ("property_id", "user_low_id", "user_high_id");`,
    );

    this.addSql(
      `create table "conversation_participant" ("conversation_id" uuid not null references "conversation" ("id") on delete cascade, "portal_user_id" uuid not null references "portal_user" ("id") on delete cascade, "organization_id" uuid not null references "organization" ("id"), "last_read_at" timestamptz null, "notified_at" timestamptz null, primary key ("conversation_id", "portal_user_id"));`,
    );
    this.addSql(`create index "conversation_participant_portal_user_id_index" on "conversation_participant" ("portal_user_id");`);

    this.addSql(
      `create table "direct_message" ("id" uuid not null, "organization_id" uuid not null references "organization" ("id"), "conversation_id" uuid not null references "conversation" ("id") on delete cascade, "sender_id" uuid not null references "portal_user" ("id") on delete cascade, "body" varchar(2000) not null, "withheld" boolean not null default false, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "direct_message_conversation_id_created_at_index" on "direct_message" ("conversation_id", "created_at");`);
    this.addSql(`create index "direct_message_sender_id_created_at_index" on "direct_message" ("sender_id", "created_at");`);

    this.addSql(
      `create table "user_block" ("blocker_id" uuid not null references "portal_user" ("id") on delete cascade, "blocked_id" uuid not null references "portal_user" ("id") on delete cascade, "organization_id" uuid not null references "organization" ("id"), "created_at" timestamptz not null, primary key ("blocker_id", "blocked_id"));`,
    );

    this.addSql(
      `create table "message_report" ("id" uuid not null, "organization_id" uuid not null references "organization" ("id"), "message_id" uuid not null references "direct_message" ("id") on delete cascade, "reporter_id" uuid not null references "portal_user" ("id") on delete cascade, "reason" varchar(1000) not null, "created_at" timestamptz not null, "handled_at" timestamptz null, "handled_by_id" uuid null references "staff_user" ("id"), primary key ("id"));`,
    );
    this.addSql(`alter table "message_report" add constraint "message_report_message_id_reporter_id_unique" unique ("message_id", "reporter_id");`);
    this.addSql(
      `create index "message_report_organization_id_handled_at_created_at_index" on "message_report" ("organization_id", "handled_at", "created_at");`,
    );
  }

  override down(): void | Promise<void> {
    for (const table of ['message_report', 'user_block', 'direct_message', 'conversation_participant', 'conversation', 'neighbour_profile']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}
