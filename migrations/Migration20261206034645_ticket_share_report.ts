import { Migration } from '@mikro-orm/migrations';

export class Migration20261206034645_ticket_share_report extends Migration {
  override name = 'Migration20261206034645_ticket_share_report';

  override up(): void | Promise<void> {
    this.addSql(`alter table "ticket" add "share_report_with_joiners" boolean not null default false;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ticket" drop column "share_report_with_joiners";`);
  }
}
