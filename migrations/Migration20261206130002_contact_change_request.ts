import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 20: phone and postal address a resident changes in the profile are proposed to the
 * contact; staff accept (the contact takes them) or reject them on the contact's page.
 */
export class Migration20261206130002_contact_change_request extends Migration {
  override name = 'Migration20261206130002_contact_change_request';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "contact_change_request" ("id" uuid not null, "organization_id" uuid not null, "contact_id" uuid not null, "portal_user_id" uuid null, "phone" varchar(50) not null, "street" varchar(200) not null, "postal_code" varchar(10) not null, "city" varchar(100) not null, "status" text not null default 'open', "decided_by_id" uuid null, "decided_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "contact_change_request" add constraint "contact_change_request_status_check" check ("status" in ('open', 'accepted', 'rejected', 'replaced'));`,
    );
    this.addSql(`create index "contact_change_request_contact_id_status_index" on "contact_change_request" ("contact_id", "status");`);
    this.addSql(
      `alter table "contact_change_request" add constraint "contact_change_request_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "contact_change_request" add constraint "contact_change_request_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "contact_change_request" add constraint "contact_change_request_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "contact_change_request" add constraint "contact_change_request_decided_by_id_foreign" foreign key ("decided_by_id") references "staff_user" ("id") on delete set null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "contact_change_request" cascade;`);
  }
}
