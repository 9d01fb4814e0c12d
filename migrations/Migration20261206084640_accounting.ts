import { Migration } from '@mikro-orm/migrations';

export class Migration20261206084640_accounting extends Migration {
  override name = 'Migration20261206084640_accounting';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "ledger_account" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "external_id" varchar(100) null, "number" varchar(20) not null, "name" varchar(200) not null, "kind" text not null default 'expense', "apportionable" boolean not null default false, "archived_at" timestamptz null, "erp_synced_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "ledger_account_property_id_index" on "ledger_account" ("property_id");`);
    this.addSql(`alter table "ledger_account" add constraint "ledger_account_organization_id_external_id_unique" unique ("organization_id", "external_id");`);

    this.addSql(
      `create table "fiscal_year" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "external_id" varchar(100) null, "starts_on" date not null, "ends_on" date not null, "archived_at" timestamptz null, "erp_synced_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "fiscal_year_property_id_index" on "fiscal_year" ("property_id");`);
    this.addSql(`alter table "fiscal_year" add constraint "fiscal_year_organization_id_external_id_unique" unique ("organization_id", "external_id");`);

    this.addSql(
      `create table "property_owner_link" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "contact_id" uuid not null, "external_id" varchar(100) null, "archived_at" timestamptz null, "erp_synced_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "property_owner_link_property_id_index" on "property_owner_link" ("property_id");`);
    this.addSql(`create index "property_owner_link_contact_id_index" on "property_owner_link" ("contact_id");`);
    this.addSql(
      `alter table "property_owner_link" add constraint "property_owner_link_organization_id_external_id_unique" unique ("organization_id", "external_id");`,
    );

    this.addSql(
      `create table "report_setting" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "published" text[] not null default '{}', "published_from" date null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "report_setting" add constraint "report_setting_property_id_unique" unique ("property_id");`);

    this.addSql(
      `create table "personal_account" ("id" uuid not null, "organization_id" uuid not null, "contract_id" uuid not null, "external_id" varchar(100) null, "number" varchar(50) null, "archived_at" timestamptz null, "erp_synced_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "personal_account_contract_id_index" on "personal_account" ("contract_id");`);
    this.addSql(
      `alter table "personal_account" add constraint "personal_account_organization_id_external_id_unique" unique ("organization_id", "external_id");`,
    );

    this.addSql(
      `create table "target_charge" ("id" uuid not null, "organization_id" uuid not null, "personal_account_id" uuid not null, "external_id" varchar(100) null, "kind" text not null default 'rent', "monthly_amount_cents" int not null, "valid_from" date not null, "valid_until" date null, "archived_at" timestamptz null, "erp_synced_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "target_charge_personal_account_id_index" on "target_charge" ("personal_account_id");`);
    this.addSql(`alter table "target_charge" add constraint "target_charge_organization_id_external_id_unique" unique ("organization_id", "external_id");`);

    this.addSql(
      `create table "ledger_entry" ("id" uuid not null, "organization_id" uuid not null, "external_id" varchar(100) null, "booked_on" date not null, "amount_cents" int not null, "text" varchar(300) null, "document_number" varchar(50) null, "ledger_account_id" uuid not null, "personal_account_id" uuid null, "unit_id" uuid null, "archived_at" timestamptz null, "erp_synced_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "ledger_entry_ledger_account_id_booked_on_index" on "ledger_entry" ("ledger_account_id", "booked_on");`);
    this.addSql(`create index "ledger_entry_personal_account_id_booked_on_index" on "ledger_entry" ("personal_account_id", "booked_on");`);
    this.addSql(`alter table "ledger_entry" add constraint "ledger_entry_organization_id_external_id_unique" unique ("organization_id", "external_id");`);

    this.addSql(`alter table "document_share" drop constraint "document_share_group_check";`);
    this.addSql(
      `alter table "document_share" add constraint "document_share_group_check" check ("group" in ('tenant', 'owner', 'resident', 'commercial_employee', 'service_provider', 'advisory_board', 'property_owner'));`,
    );

    this.addSql(
      `alter table "ledger_account" add constraint "ledger_account_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(`alter table "ledger_account" add constraint "ledger_account_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(`alter table "ledger_account" add constraint "ledger_account_kind_check" check ("kind" in ('income', 'expense', 'reserve', 'clearing'));`);

    this.addSql(
      `alter table "fiscal_year" add constraint "fiscal_year_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(`alter table "fiscal_year" add constraint "fiscal_year_property_id_foreign" foreign key ("property_id") references "property" ("id");`);

    this.addSql(
      `alter table "property_owner_link" add constraint "property_owner_link_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "property_owner_link" add constraint "property_owner_link_property_id_foreign" foreign key ("property_id") references "property" ("id");`,
    );
    this.addSql(
      `alter table "property_owner_link" add constraint "property_owner_link_contact_id_foreign" foreign key ("contact_id") references "contact" ("id");`,
    );

    this.addSql(
      `alter table "report_setting" add constraint "report_setting_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(`alter table "report_setting" add constraint "report_setting_property_id_foreign" foreign key ("property_id") references "property" ("id");`);

    this.addSql(
      `alter table "personal_account" add constraint "personal_account_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "personal_account" add constraint "personal_account_contract_id_foreign" foreign key ("contract_id") references "contract" ("id");`,
    );

    this.addSql(
      `alter table "target_charge" add constraint "target_charge_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "target_charge" add constraint "target_charge_personal_account_id_foreign" foreign key ("personal_account_id") references "personal_account" ("id");`,
    );
    this.addSql(
      `alter table "target_charge" add constraint "target_charge_kind_check" check ("kind" in ('rent', 'operating_costs', 'heating_costs', 'house_money', 'reserve', 'other'));`,
    );

    this.addSql(
      `alter table "ledger_entry" add constraint "ledger_entry_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "ledger_entry" add constraint "ledger_entry_ledger_account_id_foreign" foreign key ("ledger_account_id") references "ledger_account" ("id");`,
    );
    this.addSql(
      `alter table "ledger_entry" add constraint "ledger_entry_personal_account_id_foreign" foreign key ("personal_account_id") references "personal_account" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "ledger_entry" add constraint "ledger_entry_unit_id_foreign" foreign key ("unit_id") references "unit" ("id") on delete set null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_ledger_account_id_foreign";`);
    this.addSql(`alter table "target_charge" drop constraint "target_charge_personal_account_id_foreign";`);
    this.addSql(`alter table "ledger_entry" drop constraint "ledger_entry_personal_account_id_foreign";`);

    this.addSql(`drop table if exists "ledger_account" cascade;`);
    this.addSql(`drop table if exists "fiscal_year" cascade;`);
    this.addSql(`drop table if exists "property_owner_link" cascade;`);
    this.addSql(`drop table if exists "report_setting" cascade;`);
    this.addSql(`drop table if exists "personal_account" cascade;`);
    this.addSql(`drop table if exists "target_charge" cascade;`);
    this.addSql(`drop table if exists "ledger_entry" cascade;`);

    this.addSql(`alter table "document_share" drop constraint "document_share_group_check";`);
    this.addSql(
      `alter table "document_share" add constraint "document_share_group_check" check ("group" in ('tenant', 'owner', 'resident', 'commercial_employee', 'service_provider', 'advisory_board'));`,
    );
  }
}
