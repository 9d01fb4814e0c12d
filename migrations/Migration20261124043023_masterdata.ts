import { Migration } from '@mikro-orm/migrations';

export class Migration20261124043023_masterdata extends Migration {
  override name = 'Migration20261124043023_masterdata';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "master_data_import" ("id" uuid not null, "organization_id" uuid not null, "created_by_id" uuid not null, "kind" varchar(30) not null, "file_name" varchar(255) not null, "storage_key" varchar(64) not null, "encoding" varchar(20) not null, "delimiter" varchar(1) not null, "status" text not null default 'previewed', "row_count" int not null default 0, "created" int not null default 0, "updated" int not null default 0, "unchanged" int not null default 0, "refused" int not null default 0, "created_at" timestamptz not null, "imported_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "master_data_import_organization_id_created_at_index" on "master_data_import" ("organization_id", "created_at");`);

    this.addSql(
      `create table "master_data_import_row" ("import_id" uuid not null, "row" int not null, "organization_id" uuid not null, "outcome" text not null, "external_id" varchar(100) null, "label" varchar(300) not null, "details" jsonb null, primary key ("import_id", "row"));`,
    );
    this.addSql(`create index "master_data_import_row_import_id_outcome_row_index" on "master_data_import_row" ("import_id", "outcome", "row");`);

    this.addSql(`alter table "document" drop constraint "document_created_by_id_foreign";`);

    this.addSql(`alter table "contact" add "erp_synced_at" timestamptz null;`);

    this.addSql(`alter table "property" add "erp_synced_at" timestamptz null;`);

    this.addSql(
      `alter table "address" add "archived_at" timestamptz null, add "erp_synced_at" timestamptz null, add "updated_at" timestamptz not null default now();`,
    );
    this.addSql(`alter table "address" alter column "updated_at" drop default;`);

    this.addSql(`alter table "service_provider" add "erp_synced_at" timestamptz null, add "updated_at" timestamptz not null default now();`);
    this.addSql(`alter table "service_provider" alter column "updated_at" drop default;`);

    this.addSql(`alter table "unit" add "erp_synced_at" timestamptz null, add "updated_at" timestamptz not null default now();`);
    this.addSql(`alter table "unit" alter column "updated_at" drop default;`);
    this.addSql(`create index "unit_organization_id_number_index" on "unit" ("organization_id", "number");`);
    this.addSql(`create index "unit_number_trgm_index" on "unit" using gin ("number" gin_trgm_ops);`);

    this.addSql(`alter table "document" add "external_id" varchar(100) null, add "created_by_api_key_id" uuid null;`);
    this.addSql(
      `alter table "document" add constraint "document_created_by_api_key_id_foreign" foreign key ("created_by_api_key_id") references "api_key" ("id") on delete set null;`,
    );
    this.addSql(`alter table "document" alter column "created_by_id" drop not null;`);
    this.addSql(`alter table "document_version" alter column "created_by_id" drop not null;`);
    this.addSql(`alter table "document_version" drop constraint "document_version_created_by_id_foreign";`);
    this.addSql(
      `alter table "document_version" add constraint "document_version_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "document" add constraint "document_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(`alter table "document" add constraint "document_organization_id_external_id_unique" unique ("organization_id", "external_id");`);

    this.addSql(
      `alter table "contract" add "archived_at" timestamptz null, add "erp_synced_at" timestamptz null, add "updated_at" timestamptz not null default now();`,
    );
    this.addSql(`alter table "contract" alter column "updated_at" drop default;`);

    this.addSql(`alter table "api_key" add "created_by_id" uuid null;`);
    this.addSql(
      `alter table "api_key" add constraint "api_key_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id") on delete set null;`,
    );
    this.addSql(`create index "contract_contract_number_trgm_index" on "contract" using gin ("contract_number" gin_trgm_ops);`);
    this.addSql(`create index "contact_organization_id_city_index" on "contact" ("organization_id", "city");`);
    this.addSql(`create index "contact_organization_id_email_index" on "contact" ("organization_id", "email");`);
    this.addSql(`create index "contract_organization_id_starts_on_index" on "contract" ("organization_id", "starts_on");`);
    this.addSql(`create index "contract_organization_id_ends_on_index" on "contract" ("organization_id", "ends_on");`);
    this.addSql(`create index "contract_organization_id_contract_number_index" on "contract" ("organization_id", "contract_number");`);

    this.addSql(
      `alter table "master_data_import" add constraint "master_data_import_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "master_data_import" add constraint "master_data_import_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`,
    );
    this.addSql(
      `alter table "master_data_import" add constraint "master_data_import_status_check" check ("status" in ('previewed', 'imported', 'discarded'));`,
    );

    this.addSql(
      `alter table "master_data_import_row" add constraint "master_data_import_row_import_id_foreign" foreign key ("import_id") references "master_data_import" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "master_data_import_row" add constraint "master_data_import_row_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "master_data_import_row" add constraint "master_data_import_row_outcome_check" check ("outcome" in ('created', 'updated', 'unchanged', 'refused'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "api_key" drop constraint "api_key_created_by_id_foreign";`);
    this.addSql(`alter table "api_key" drop column "created_by_id";`);
    this.addSql(`drop index "contract_contract_number_trgm_index";`);
    this.addSql(`drop index "contact_organization_id_city_index";`);
    this.addSql(`drop index "contact_organization_id_email_index";`);
    this.addSql(`drop index "contract_organization_id_starts_on_index";`);
    this.addSql(`drop index "contract_organization_id_ends_on_index";`);
    this.addSql(`drop index "contract_organization_id_contract_number_index";`);

    this.addSql(`alter table "master_data_import_row" drop constraint "master_data_import_row_import_id_foreign";`);

    this.addSql(`drop table if exists "master_data_import" cascade;`);
    this.addSql(`drop table if exists "master_data_import_row" cascade;`);

    this.addSql(`alter table "document" drop constraint "document_created_by_api_key_id_foreign";`);
    this.addSql(`alter table "document" drop constraint "document_created_by_id_foreign";`);

    this.addSql(`alter table "address" drop column "archived_at", drop column "erp_synced_at", drop column "updated_at";`);

    this.addSql(`alter table "contact" drop column "erp_synced_at";`);

    this.addSql(`alter table "contract" drop column "archived_at", drop column "erp_synced_at", drop column "updated_at";`);

    this.addSql(`alter table "document" drop constraint "document_organization_id_external_id_unique";`);
    this.addSql(`alter table "document" drop column "external_id", drop column "created_by_api_key_id";`);
    this.addSql(`alter table "document" alter column "created_by_id" set not null;`);
    this.addSql(
      `alter table "document" add constraint "document_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id") on update no action on delete no action;`,
    );

    this.addSql(`alter table "property" drop column "erp_synced_at";`);

    this.addSql(`alter table "service_provider" drop column "erp_synced_at", drop column "updated_at";`);

    this.addSql(`drop index "unit_organization_id_number_index";`);
    this.addSql(`drop index "unit_number_trgm_index";`);
    this.addSql(`alter table "unit" drop column "erp_synced_at", drop column "updated_at";`);
  }
}
