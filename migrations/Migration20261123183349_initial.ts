import { Migration } from '@mikro-orm/migrations';

export class Migration20261123183349_initial extends Migration {
  override name = 'Migration20261123183349_initial';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "login_throttle" ("key" varchar(300) not null, "failures" int not null default 0, "window_started_at" timestamptz not null, "locked_until" timestamptz null, primary key ("key"));`,
    );

    this.addSql(
      `create table "organization" ("id" uuid not null, "name" varchar(200) not null, "street" varchar(200) null, "postal_code" varchar(10) null, "city" varchar(100) null, "email" varchar(254) null, "phone" varchar(50) null, "created_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "contact" ("id" uuid not null, "organization_id" uuid not null, "external_id" varchar(100) null, "type" text not null default 'person', "salutation" text not null default 'none', "title" varchar(50) null, "first_name" varchar(100) null, "last_name" varchar(100) null, "company_name" varchar(200) null, "email" varchar(254) null, "phone" varchar(50) null, "street" varchar(200) null, "postal_code" varchar(10) null, "city" varchar(100) null, "country" varchar(2) not null default 'DE', "contact_preference" text not null default 'online', "archived_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "contact_organization_id_last_name_index" on "contact" ("organization_id", "last_name");`);
    this.addSql(`alter table "contact" add constraint "contact_organization_id_external_id_unique" unique ("organization_id", "external_id");`);
    this.addSql(`alter table "contact" add constraint "contact_type_check" check ("type" in ('person', 'company'));`);
    this.addSql(`alter table "contact" add constraint "contact_salutation_check" check ("salutation" in ('frau', 'herr', 'divers', 'firma', 'none'));`);
    this.addSql(`alter table "contact" add constraint "contact_contact_preference_check" check ("contact_preference" in ('online', 'post'));`);

    this.addSql(
      `create table "audit_log" ("id" uuid not null, "organization_id" uuid not null, "actor_type" text not null, "actor_id" varchar(36) null, "action" varchar(100) not null, "subject_type" varchar(50) null, "subject_id" varchar(36) null, "data" jsonb null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "audit_log_organization_id_created_at_index" on "audit_log" ("organization_id", "created_at");`);
    this.addSql(`alter table "audit_log" add constraint "audit_log_actor_type_check" check ("actor_type" in ('staff', 'portal', 'system', 'api'));`);

    this.addSql(
      `create table "api_key" ("id" uuid not null, "organization_id" uuid not null, "name" varchar(200) not null, "prefix" varchar(16) not null, "key_hash" varchar(64) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`alter table "api_key" add constraint "api_key_key_hash_unique" unique ("key_hash");`);

    this.addSql(
      `create table "outbox_mail" ("id" uuid not null, "organization_id" uuid null, "message_id" varchar(200) not null, "from_name" varchar(200) null, "to" varchar(254) not null, "subject" varchar(300) not null, "text" text not null, "html" text not null, "status" text not null default 'pending', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "last_error" text null, "sent_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "outbox_mail" add constraint "outbox_mail_message_id_unique" unique ("message_id");`);
    this.addSql(`create index "outbox_mail_status_next_attempt_at_index" on "outbox_mail" ("status", "next_attempt_at");`);
    this.addSql(`alter table "outbox_mail" add constraint "outbox_mail_status_check" check ("status" in ('pending', 'sent', 'failed'));`);

    this.addSql(
      `create table "portal_user" ("id" uuid not null, "organization_id" uuid not null, "email" varchar(254) not null, "name" varchar(200) not null, "password_hash" varchar(200) null, "locale" varchar(5) not null default 'de', "disabled_at" timestamptz null, "last_login_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "portal_user" add constraint "portal_user_organization_id_email_unique" unique ("organization_id", "email");`);

    this.addSql(
      `create table "portal_user_contact" ("portal_user_id" uuid not null, "contact_id" uuid not null, primary key ("portal_user_id", "contact_id"));`,
    );

    this.addSql(
      `create table "property" ("id" uuid not null, "organization_id" uuid not null, "external_id" varchar(100) null, "name" varchar(200) not null, "kind" text not null default 'rental', "archived_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "property_organization_id_name_index" on "property" ("organization_id", "name");`);
    this.addSql(`alter table "property" add constraint "property_organization_id_external_id_unique" unique ("organization_id", "external_id");`);
    this.addSql(`alter table "property" add constraint "property_kind_check" check ("kind" in ('weg', 'rental', 'mixed'));`);

    this.addSql(
      `create table "address" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "external_id" varchar(100) null, "street" varchar(200) not null, "house_number" varchar(20) not null, "postal_code" varchar(10) not null, "city" varchar(100) not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "address" add constraint "address_organization_id_external_id_unique" unique ("organization_id", "external_id");`);

    this.addSql(
      `create table "service_provider" ("id" uuid not null, "organization_id" uuid not null, "external_id" varchar(100) null, "name" varchar(200) not null, "trade" varchar(100) null, "email" varchar(254) null, "phone" varchar(50) null, "street" varchar(200) null, "postal_code" varchar(10) null, "city" varchar(100) null, "archived_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "service_provider" add constraint "service_provider_organization_id_external_id_unique" unique ("organization_id", "external_id");`,
    );

    this.addSql(
      `create table "staff_user" ("id" uuid not null, "organization_id" uuid not null, "email" varchar(254) not null, "name" varchar(200) not null, "role" text not null default 'staff', "password_hash" varchar(200) null, "locale" varchar(5) not null default 'de', "disabled_at" timestamptz null, "last_login_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "staff_user" add constraint "staff_user_organization_id_email_unique" unique ("organization_id", "email");`);
    this.addSql(`alter table "staff_user" add constraint "staff_user_role_check" check ("role" in ('admin', 'staff'));`);

    this.addSql(
      `create table "session" ("id" varchar(32) not null, "secret_hash" bytea not null, "area" text not null, "organization_id" uuid not null, "staff_user_id" uuid null, "portal_user_id" uuid null, "created_at" timestamptz not null, "last_verified_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "session_expires_at_index" on "session" ("expires_at");`);
    this.addSql(`alter table "session" add constraint "session_area_check" check ("area" in ('staff', 'portal'));`);

    this.addSql(
      `create table "one_time_token" ("id" uuid not null, "token_hash" varchar(64) not null, "purpose" text not null, "area" text not null, "organization_id" uuid not null, "staff_user_id" uuid null, "portal_user_id" uuid null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "one_time_token" add constraint "one_time_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "one_time_token" add constraint "one_time_token_purpose_check" check ("purpose" in ('staff_invitation', 'password_reset'));`);
    this.addSql(`alter table "one_time_token" add constraint "one_time_token_area_check" check ("area" in ('staff', 'portal'));`);

    this.addSql(
      `create table "unit" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "address_id" uuid null, "external_id" varchar(100) null, "number" varchar(100) not null, "kind" text not null default 'apartment', "area_sqm" numeric(10,2) null, "floor" varchar(50) null, "archived_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "unit_property_id_number_index" on "unit" ("property_id", "number");`);
    this.addSql(`alter table "unit" add constraint "unit_organization_id_external_id_unique" unique ("organization_id", "external_id");`);
    this.addSql(`alter table "unit" add constraint "unit_kind_check" check ("kind" in ('apartment', 'commercial', 'parking', 'other'));`);

    this.addSql(
      `create table "contract" ("id" uuid not null, "organization_id" uuid not null, "external_id" varchar(100) null, "kind" text not null, "unit_id" uuid not null, "contract_number" varchar(100) null, "starts_on" date not null, "ends_on" date null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "contract" add constraint "contract_organization_id_external_id_unique" unique ("organization_id", "external_id");`);
    this.addSql(`alter table "contract" add constraint "contract_kind_check" check ("kind" in ('rental', 'ownership'));`);

    this.addSql(`create table "contract_contact" ("contract_id" uuid not null, "contact_id" uuid not null, primary key ("contract_id", "contact_id"));`);

    this.addSql(`alter table "contact" add constraint "contact_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);

    this.addSql(`alter table "audit_log" add constraint "audit_log_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);

    this.addSql(`alter table "api_key" add constraint "api_key_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);

    this.addSql(
      `alter table "outbox_mail" add constraint "outbox_mail_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "portal_user" add constraint "portal_user_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "portal_user_contact" add constraint "portal_user_contact_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "portal_user_contact" add constraint "portal_user_contact_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(`alter table "property" add constraint "property_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);

    this.addSql(`alter table "address" add constraint "address_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(`alter table "address" add constraint "address_property_id_foreign" foreign key ("property_id") references "property" ("id");`);

    this.addSql(
      `alter table "service_provider" add constraint "service_provider_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(
      `alter table "staff_user" add constraint "staff_user_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );

    this.addSql(`alter table "session" add constraint "session_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(
      `alter table "session" add constraint "session_staff_user_id_foreign" foreign key ("staff_user_id") references "staff_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "session" add constraint "session_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "one_time_token" add constraint "one_time_token_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "one_time_token" add constraint "one_time_token_staff_user_id_foreign" foreign key ("staff_user_id") references "staff_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "one_time_token" add constraint "one_time_token_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );

    this.addSql(`alter table "unit" add constraint "unit_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(`alter table "unit" add constraint "unit_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(`alter table "unit" add constraint "unit_address_id_foreign" foreign key ("address_id") references "address" ("id") on delete set null;`);

    this.addSql(`alter table "contract" add constraint "contract_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(`alter table "contract" add constraint "contract_unit_id_foreign" foreign key ("unit_id") references "unit" ("id");`);

    this.addSql(
      `alter table "contract_contact" add constraint "contract_contact_contract_id_foreign" foreign key ("contract_id") references "contract" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "contract_contact" add constraint "contract_contact_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on update cascade on delete cascade;`,
    );
  }
}
