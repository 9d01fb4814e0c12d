import { Migration } from '@mikro-orm/migrations';

export class Migration20261206132001_community_board extends Migration {
  override name = 'Migration20261206132001_community_board';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "board_post" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "author_id" uuid null, "title" varchar(200) not null, "body" text not null, "ends_on" date null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "edited_at" timestamptz null, "hidden_at" timestamptz null, "hidden_by_id" uuid null, primary key ("id"));`,
    );
    this.addSql(`create index "board_post_author_id_index" on "board_post" ("author_id");`);
    this.addSql(`create index "board_post_property_id_created_at_index" on "board_post" ("property_id", "created_at");`);

    this.addSql(
      `create table "board_photo" ("id" uuid not null, "organization_id" uuid not null, "post_id" uuid not null, "file_name" varchar(255) not null, "mime_type" varchar(100) not null, "size" int not null, "storage_key" varchar(64) not null, "thumb_key" varchar(64) not null, "width" int not null, "height" int not null, "position" int not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "board_photo_post_id_index" on "board_photo" ("post_id");`);

    this.addSql(
      `create table "board_comment" ("id" uuid not null, "organization_id" uuid not null, "post_id" uuid not null, "author_id" uuid null, "body" text not null, "created_at" timestamptz not null, "hidden_at" timestamptz null, "hidden_by_id" uuid null, primary key ("id"));`,
    );
    this.addSql(`create index "board_comment_author_id_index" on "board_comment" ("author_id");`);
    this.addSql(`create index "board_comment_post_id_created_at_index" on "board_comment" ("post_id", "created_at");`);

    this.addSql(
      `create table "board_report" ("id" uuid not null, "organization_id" uuid not null, "property_id" uuid not null, "post_id" uuid not null, "comment_id" uuid null, "reporter_id" uuid not null, "reason" varchar(1000) not null, "created_at" timestamptz not null, "handled_at" timestamptz null, "handled_by_id" uuid null, primary key ("id"));`,
    );
    this.addSql(`create index "board_report_post_id_index" on "board_report" ("post_id");`);
    this.addSql(`create index "board_report_comment_id_index" on "board_report" ("comment_id");`);
    this.addSql(`create index "board_report_reporter_id_index" on "board_report" ("reporter_id");`);
    this.addSql(`create index "board_report_organization_id_handled_at_created_at_index" on "board_report" ("organization_id", "handled_at", "created_at");`);

    this.addSql(
      `create table "board_bar" ("id" uuid not null, "organization_id" uuid not null, "portal_user_id" uuid not null, "until" timestamptz not null, "reason" varchar(500) not null, "created_by_id" uuid not null, "created_at" timestamptz not null, "lifted_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "board_bar_portal_user_id_index" on "board_bar" ("portal_user_id");`);

    this.addSql(
      `alter table "board_post" add constraint "board_post_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(`alter table "board_post" add constraint "board_post_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(
      `alter table "board_post" add constraint "board_post_author_id_foreign" foreign key ("author_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "board_post" add constraint "board_post_hidden_by_id_foreign" foreign key ("hidden_by_id") references "staff_user" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "board_photo" add constraint "board_photo_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "board_photo" add constraint "board_photo_post_id_foreign" foreign key ("post_id") references "board_post" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "board_comment" add constraint "board_comment_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(
      `alter table "board_comment" add constraint "board_comment_post_id_foreign" foreign key ("post_id") references "board_post" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "board_comment" add constraint "board_comment_author_id_foreign" foreign key ("author_id") references "portal_user" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "board_comment" add constraint "board_comment_hidden_by_id_foreign" foreign key ("hidden_by_id") references "staff_user" ("id") on delete set null;`,
    );

    this.addSql(
      `alter table "board_report" add constraint "board_report_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`,
    );
    this.addSql(`alter table "board_report" add constraint "board_report_property_id_foreign" foreign key ("property_id") references "property" ("id");`);
    this.addSql(
      `alter table "board_report" add constraint "board_report_post_id_foreign" foreign key ("post_id") references "board_post" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "board_report" add constraint "board_report_comment_id_foreign" foreign key ("comment_id") references "board_comment" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "board_report" add constraint "board_report_reporter_id_foreign" foreign key ("reporter_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "board_report" add constraint "board_report_handled_by_id_foreign" foreign key ("handled_by_id") references "staff_user" ("id") on delete set null;`,
    );

    this.addSql(`alter table "board_bar" add constraint "board_bar_organization_id_foreign" foreign key ("organization_id") references "organization" ("id");`);
    this.addSql(
      `alter table "board_bar" add constraint "board_bar_portal_user_id_foreign" foreign key ("portal_user_id") references "portal_user" ("id") on delete cascade;`,
    );
    this.addSql(`alter table "board_bar" add constraint "board_bar_created_by_id_foreign" foreign key ("created_by_id") references "staff_user" ("id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "board_photo" drop constraint "board_photo_post_id_foreign";`);
    this.addSql(`alter table "board_comment" drop constraint "board_comment_post_id_foreign";`);
    this.addSql(`alter table "board_report" drop constraint "board_report_post_id_foreign";`);
    this.addSql(`alter table "board_report" drop constraint "board_report_comment_id_foreign";`);

    this.addSql(`drop table if exists "board_post" cascade;`);
    this.addSql(`drop table if exists "board_photo" cascade;`);
    this.addSql(`drop table if exists "board_comment" cascade;`);
    this.addSql(`drop table if exists "board_report" cascade;`);
    this.addSql(`drop table if exists "board_bar" cascade;`);
  }
}
