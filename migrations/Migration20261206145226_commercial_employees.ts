import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 23, Gewerbemitarbeiter (src/features/commercial): invitations of a company's
 * employees, and the company a Gewerbemitarbeiter's membership hangs on.
 * Merging note: another migration that changes invitation_kind_check must keep every value.
 */
export class Migration20261206145226_commercial_employees extends Migration {
  override name = 'Migration20261206145226_commercial_employees';

  override up(): void | Promise<void> {
    this.addSql(`alter table "invitation" drop constraint if exists "invitation_kind_check";`);
    this.addSql(
      `alter table "invitation" add constraint "invitation_kind_check" check ("kind" in ('contact', 'additional_user', 'neighbour', 'commercial_employee'));`,
    );
    this.addSql(`alter table "invitation" add column "company_contact_id" uuid null references "contact" ("id");`);
    this.addSql(`alter table "portal_membership" add column "company_contact_id" uuid null references "contact" ("id");`);
    this.addSql(`create index "portal_membership_company_contact_id_index" on "portal_membership" ("company_contact_id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "portal_membership_company_contact_id_index";`);
    this.addSql(`alter table "portal_membership" drop column "company_contact_id";`);
    this.addSql(`alter table "invitation" drop column "company_contact_id";`);
    this.addSql(`delete from "invitation" where "kind" = 'commercial_employee';`);
    this.addSql(`alter table "invitation" drop constraint if exists "invitation_kind_check";`);
    this.addSql(`alter table "invitation" add constraint "invitation_kind_check" check ("kind" in ('contact', 'additional_user', 'neighbour'));`);
  }
}
