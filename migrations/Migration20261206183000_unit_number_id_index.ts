import { Migration } from '@mikro-orm/migrations';

/**
 * The Einheiten list orders by (number, id): with the id in the index the page's 50 rows come
 * straight from it instead of every unit sharing the first number (one "Wohnung 001" per
 * property) being joined and sorted (src/features/units/service.ts searchUnits).
 */
export class Migration20261206183000_unit_number_id_index extends Migration {
  override name = 'Migration20261206183000_unit_number_id_index';

  override up(): void | Promise<void> {
    this.addSql(`create index "unit_organization_id_number_id_index" on "unit" ("organization_id", "number", "id");`);
    this.addSql(`drop index "unit_organization_id_number_index";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`create index "unit_organization_id_number_index" on "unit" ("organization_id", "number");`);
    this.addSql(`drop index "unit_organization_id_number_id_index";`);
  }
}
