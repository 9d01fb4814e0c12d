import { Migration } from '@mikro-orm/migrations';

/** Staff sign-in with the company's account (OpenID Connect) and a second factor (TOTP), issue 24. */
export class Migration20261206122500_staff_signin extends Migration {
  override name = 'Migration20261206122500_staff_signin';

  override up(): void | Promise<void> {
    this.addSql(`alter table "organization" add column "require_second_factor" boolean not null default false;`);
    this.addSql(
      `alter table "staff_user" add column "totp_secret_encrypted" text null, add column "totp_pending_secret_encrypted" text null, add column "totp_enabled_at" timestamptz null, add column "totp_last_step" int null, add column "oidc_issuer" varchar(500) null, add column "oidc_subject" varchar(255) null;`,
    );
    this.addSql(`create unique index "staff_user_oidc_unique" on "staff_user" ("organization_id", "oidc_issuer", "oidc_subject");`);
    this.addSql(
      `create table "organization_sso" ("organization_id" uuid not null, "slug" varchar(40) not null, "issuer" varchar(500) not null, "client_id" varchar(200) not null, "client_secret_encrypted" text not null, "enabled" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("organization_id"));`,
    );
    this.addSql(`alter table "organization_sso" add constraint "organization_sso_slug_unique" unique ("slug");`);
    this.addSql(
      `alter table "organization_sso" add constraint "organization_sso_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`,
    );
    this.addSql(
      `create table "oidc_login_attempt" ("state_hash" varchar(64) not null, "organization_id" uuid not null, "code_verifier" varchar(128) not null, "nonce" varchar(128) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("state_hash"));`,
    );
    this.addSql(
      `alter table "oidc_login_attempt" add constraint "oidc_login_attempt_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`,
    );
    this.addSql(
      `create table "second_factor_challenge" ("token_hash" varchar(64) not null, "organization_id" uuid not null, "staff_user_id" uuid not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("token_hash"));`,
    );
    this.addSql(
      `alter table "second_factor_challenge" add constraint "second_factor_challenge_organization_id_foreign" foreign key ("organization_id") references "organization" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "second_factor_challenge" add constraint "second_factor_challenge_staff_user_id_foreign" foreign key ("staff_user_id") references "staff_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `create table "recovery_code" ("id" uuid not null, "organization_id" uuid not null, "staff_user_id" uuid not null, "code_hash" varchar(64) not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "recovery_code_staff_user_id_index" on "recovery_code" ("staff_user_id");`);
    this.addSql(
      `alter table "recovery_code" add constraint "recovery_code_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "recovery_code" add constraint "recovery_code_staff_user_id_foreign" foreign key ("staff_user_id") references "staff_user" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    for (const table of ['recovery_code', 'second_factor_challenge', 'oidc_login_attempt', 'organization_sso'])
      this.addSql(`drop table if exists "${table}" cascade;`);
    this.addSql(`drop index if exists "staff_user_oidc_unique";`);
    this.addSql(
      `alter table "staff_user" drop column "totp_secret_encrypted", drop column "totp_pending_secret_encrypted", drop column "totp_enabled_at", drop column "totp_last_step", drop column "oidc_issuer", drop column "oidc_subject";`,
    );
    this.addSql(`alter table "organization" drop column "require_second_factor";`);
  }
}
