import type { TestProject } from 'vitest/node';
import { adminExecute, createTemplate, detectTestDatabase, type TestDatabaseMode } from './db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: TestDatabaseMode;
    templateDatabase: string | undefined;
  }
}

/** Once per run: choose the database and, on PostgreSQL, build the seeded template. */
export default async function setup(project: TestProject) {
  const mode = await detectTestDatabase();
  const template = mode.kind === 'postgres' ? `hausportal_tpl_${process.pid}` : undefined;
  if (mode.kind === 'postgres') await createTemplate(mode.adminUrl, template!);
  project.provide('testDatabase', mode);
  project.provide('templateDatabase', template);
  console.log(`tests run on ${mode.kind === 'postgres' ? `PostgreSQL (${new URL(mode.adminUrl).host})` : 'the embedded PostgreSQL (PGlite)'}`);
  return async () => {
    if (mode.kind === 'postgres') await adminExecute(mode.adminUrl, [`drop database if exists "${template}"`]);
  };
}
