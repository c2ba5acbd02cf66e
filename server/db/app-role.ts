import { sql } from 'drizzle-orm';
import { StartupError } from '../startup-error.ts';
import { APP_ROLE, type Database } from './client.ts';
import { firstRow } from './first-row.ts';

export interface RoleFacts {
  role: string;
  superuser: boolean;
  bypassRls: boolean;
  /** Tables, views or sequences in the public schema that this role owns. */
  owns: number;
}

/** What the connected role could do around row-level security. */
export async function roleFacts(database: Database): Promise<RoleFacts> {
  const result = await database.db.execute(sql`
    select r.rolname as role, r.rolsuper as superuser, r.rolbypassrls as bypass,
      (select count(*) from pg_class c where c.relowner = r.oid
         and c.relnamespace = 'public'::regnamespace)::int as owns
    from pg_roles r where r.rolname = current_user`);
  const row = firstRow(result);
  if (!row) throw new Error('current_user has no pg_roles row');
  return {
    role: String(row.role),
    superuser: row.superuser === true,
    bypassRls: row.bypass === true,
    owns: Number(row.owns),
  };
}

/**
 * The server refuses to start as a role that row-level security would not hold: a superuser, a
 * role with BYPASSRLS, or the owner of the tables (docs/operations/deployment.md, "Database roles").
 */
export async function assertAppRole(database: Database): Promise<void> {
  const facts = await roleFacts(database);
  const why = facts.superuser
    ? 'a superuser'
    : facts.bypassRls
      ? 'allowed to bypass row-level security'
      : facts.owns > 0
        ? 'the owner of the tables'
        : null;
  if (!why) return;
  throw new StartupError(
    'DATABASE_URL',
    `DATABASE_URL connects as "${facts.role}", which is ${why}: row-level security would not apply. ` +
      `Connect as ${APP_ROLE} (created by \`npm run migrate\`); see docs/operations/deployment.md`,
    'APP_ROLE',
  );
}
