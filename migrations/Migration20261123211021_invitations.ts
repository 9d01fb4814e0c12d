import { Migration } from '@mikro-orm/migrations';

export class Migration20261123211021_invitations extends Migration {
  override name = 'Migration20261123211021_invitations';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "portal_membership" ("id" uuid not null, "organization_id" uuid not null, "portal_user_id" uuid not null, "property_id" uuid not null, "role" text not null, "invited_by_id" uuid null, "ended_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "portal_membership_portal_user_id_index" on "portal_membership" ("portal_user_id");`);
    this.addSql(
      `alter table "portal_membership" add constraint "portal_membership_portal_user_id_property_id_role_unique" unique ("portal_user_id", "property_id", "role");`,
    );

    this.addSql(
      `create table "portal_access_grant" ("portal_user_id" uuid not null, "property_id" uuid not null, "organization_id" uuid not null, "since" timestamptz not null, primary key ("portal_user_id", "property_id"));`,
    );

    this.addSql(
      `create table "invitation_letter_batch" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid null, "created_by_id" uuid not null, "storage_key" varchar(100) not null, "letter_count" int not null, "created_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "invitation" ("id" uuid not null, "organization_id" uuid not null, "kind" text not null, "channel" text not null, "code_hash" varchar(64) not null, "contact_id" uuid null, "property_id" uuid null, "email" varchar(254) null, "invited_by_staff_id" uuid null, "invited_by_portal_user_id" uuid null, "letter_batch_id" uuid null, "expires_at" timestamptz not null, "used_at" timestamptz null, "used_by_id" uuid null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "invitation" add constraint "invitation_code_hash_unique" unique ("code_hash");`);
    this.addSql(`create index "invitation_contact_id_index" on "invitation" ("contact_id");`);

    this.addSql(
      `alter table "organization" add "neighbour_invites_enabled" boolean not null default false, add "confirm_contract_number" boolean not null default false, add "default_contact_preference_online" boolean not null default true, add "ask_contact_preference" boolean not null default true, add "ask_resident_question" boolean not null default false, add "ask_contact_data_confirmation" boolean not null default false, add "residents_may_add_users" boolean not null default false, add "invitation_valid_days" int not null default 30, add "pre_contract_access_enabled" boolean not null default false, add "pre_contract_access_days" int not null default 30, add "post_contract_access_enabled" boolean not null default false, add "post_contract_access_days" int not null default 30;`,
    );

    this.addSql(`alter table "contact" add "lives_in_property" boolean null, add "contact_data_confirmed_at" timestamptz null;`);

    this.addSql(`alter table "portal_user" add "onboarded_at" timestamptz null;`);
    // Residents registered before first-login questions existed are not asked again.
    this.addSql(`update "portal_user" set "onboarded_at" = "created_at" where "password_hash" is not null;`);

    this.addSql(
      `alter table "portal_membership" add constraint "portal_membership_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "portal_membership" add constraint "portal_membership_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id");`,
    );
    this.addSql(
      `alter table "portal_membership" add constraint "portal_membership_property_id_foreign" foreign key ("property_id") references "property" ("id");`,
    );
    this.addSql(
      `alter table "portal_membership" add constraint "portal_membership_invited_by_id_foreign" foreign key ("invited_by_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "portal_membership" add constraint "portal_membership_role_check" check ("role" in ('resident', 'commercial_employee', 'service_provider'));`,
    );

    this.addSql(
      `alter table "portal_access_grant" add constraint "portal_access_grant_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "portal_access_grant" add constraint "portal_access_grant_property_id_foreign" foreign key ("property_id") references "property" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "portal_access_grant" add constraint "portal_access_grant_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "invitation_letter_batch" add constraint "invitation_letter_batch_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "invitation_letter_batch" add constraint "invitation_letter_batch_property_id_foreign" foreign key ("property_id") references "property" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invitation_letter_batch" add constraint "invitation_letter_batch_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`,
    );

    this.addSql(
      `alter table "invitation" add constraint "invitation_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "invitation" add constraint "invitation_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invitation" add constraint "invitation_property_id_foreign" foreign key ("property_id") references "property" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invitation" add constraint "invitation_invited_by_staff_id_foreign" foreign key ("invited_by_staff_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invitation" add constraint "invitation_invited_by_portal_user_id_foreign" foreign key ("invited_by_portal_user_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invitation" add constraint "invitation_letter_batch_id_foreign" foreign key ("letter_batch_id") references "invitation_letter_batch" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "invitation" add constraint "invitation_used_by_id_foreign" foreign key ("used_by_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(`alter table "invitation" add constraint "invitation_kind_check" check ("kind" in ('contact', 'additional_user', 'neighbour'));`);
    this.addSql(`alter table "invitation" add constraint "invitation_channel_check" check ("channel" in ('email', 'letter'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "invitation" drop constraint "invitation_letter_batch_id_foreign";`);

    this.addSql(`drop table if exists "portal_membership" cascade;`);
    this.addSql(`drop table if exists "portal_access_grant" cascade;`);
    this.addSql(`drop table if exists "invitation_letter_batch" cascade;`);
    this.addSql(`drop table if exists "invitation" cascade;`);

    this.addSql(`alter table "contact" drop column "lives_in_property", drop column "contact_data_confirmed_at";`);

    this.addSql(
      `alter table "organization" drop column "neighbour_invites_enabled", drop column "confirm_contract_number", drop column "default_contact_preference_online", drop column "ask_contact_preference", drop column "ask_resident_question", drop column "ask_contact_data_confirmation", drop column "residents_may_add_users", drop column "invitation_valid_days", drop column "pre_contract_access_enabled", drop column "pre_contract_access_days", drop column "post_contract_access_enabled", drop column "post_contract_access_days";`,
    );

    this.addSql(`alter table "portal_user" drop column "onboarded_at";`);
  }
}
