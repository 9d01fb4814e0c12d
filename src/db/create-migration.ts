// `npm run migration:create [name]`: writes a new migration for the difference between the
// entities and the schema the existing migrations build. Runs on a throwaway in-memory
// embedded database, so it needs no server and cannot touch real data.
import { migrate, openOrm } from './orm.ts';

const name = process.argv[2] ?? 'change';
const orm = await openOrm({ kind: 'embedded', dataDir: undefined });
try {
  await migrate(orm);
  const result = await orm.migrator.create(undefined, false, false, name);
  console.log(result.fileName ? `created migrations/${result.fileName}` : 'no schema changes');
} finally {
  await orm.close();
}
