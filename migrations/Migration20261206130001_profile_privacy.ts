import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 20, Profil and Datenschutz: a staff member's position and phone (shown to residents
 * as their Ansprechpartner or a Vorgang's assignee), the e-mail change's confirmation token
 * (the new address rides on the token row), and the mark of a deleted, anonymised login.
 */
export class Migration20261206130001_profile_privacy extends Migration {
  override name = 'Migration20261206130001_profile_privacy';

  override up(): void | Promise<void> {
    this.addSql(`alter table "staff_user" add column "position" varchar(100) null, add column "phone" varchar(50) null;`);
    this.addSql(`alter table "portal_user" add column "deleted_at" timestamptz null;`);
    this.addSql(`alter table "one_time_token" add column "new_email" varchar(254) null;`);
    this.addSql(`alter table "one_time_token" drop constraint "one_time_token_purpose_check";`);
    this.addSql(
      `alter table "one_time_token" add constraint "one_time_token_purpose_check" check ("purpose" in ('staff_invitation', 'password_reset', 'email_change'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from "one_time_token" where "purpose" = 'email_change';`);
    this.addSql(`alter table "one_time_token" drop constraint "one_time_token_purpose_check";`);
    this.addSql(`alter table "one_time_token" add constraint "one_time_token_purpose_check" check ("purpose" in ('staff_invitation', 'password_reset'));`);
    this.addSql(`alter table "one_time_token" drop column "new_email";`);
    this.addSql(`alter table "portal_user" drop column "deleted_at";`);
    this.addSql(`alter table "staff_user" drop column "position", drop column "phone";`);
  }
}
