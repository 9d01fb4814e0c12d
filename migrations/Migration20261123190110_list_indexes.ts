import { Migration } from '@mikro-orm/migrations';

export class Migration20261123190110_list_indexes extends Migration {
  override name = 'Migration20261123190110_list_indexes';

  override up(): void | Promise<void> {
    // Not generated: the schema diff does not manage extensions. pg_trgm is a trusted
    // extension (PostgreSQL 13+), so the database owner may create it without superuser;
    // the embedded database loads it in src/db/orm.ts.
    this.addSql(`create extension if not exists pg_trgm;`);

    this.addSql(`create index "contact_last_name_trgm_index" on "contact" using gin ("last_name" gin_trgm_ops);`);
    this.addSql(`create index "contact_first_name_trgm_index" on "contact" using gin ("first_name" gin_trgm_ops);`);
    this.addSql(`create index "contact_company_name_trgm_index" on "contact" using gin ("company_name" gin_trgm_ops);`);
    this.addSql(`create index "contact_email_trgm_index" on "contact" using gin ("email" gin_trgm_ops);`);

    this.addSql(`create index "address_property_id_index" on "address" ("property_id");`);

    this.addSql(`create index "contract_unit_id_index" on "contract" ("unit_id");`);

    this.addSql(`create index "contract_contact_contact_id_index" on "contract_contact" ("contact_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "address_property_id_index";`);

    this.addSql(`drop index "contact_last_name_trgm_index";`);
    this.addSql(`drop index "contact_first_name_trgm_index";`);
    this.addSql(`drop index "contact_company_name_trgm_index";`);
    this.addSql(`drop index "contact_email_trgm_index";`);

    this.addSql(`drop index "contract_unit_id_index";`);

    this.addSql(`drop index "contract_contact_contact_id_index";`);

    this.addSql(`drop extension if exists pg_trgm;`);
  }
}
