import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { APP_ROLE } from './client.ts';
import { allRows, firstRow } from './first-row.ts';

/**
 * The isolation guard (docs/audit.md, "Isolation in PostgreSQL"), run by `npm run db:guard` in CI
 * and by the server tests: every table of the public schema has row-level security enabled and
 * FORCED, and the application role can bypass none of it. Returns the problems found (none = ok).
 */
export async function checkIsolation(owner: Db): Promise<string[]> {
  const problems: string[] = [];
  const tables = allRows(
    await owner.execute(sql`
      select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
        (select count(*) from pg_policy p where p.polrelid = c.oid)::int as policies
      from pg_class c
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
      order by c.relname`),
  );
  if (tables.length === 0) problems.push('no tables in the public schema: is the database migrated?');
  for (const t of tables) {
    if (t.enabled !== true) problems.push(`table ${t.name}: row-level security is not enabled`);
    if (t.forced !== true) problems.push(`table ${t.name}: row-level security is not forced`);
    if (Number(t.policies) === 0)
      problems.push(`table ${t.name}: has no policy (nobody but a superuser sees it)`);
  }
  const role = firstRow(
    await owner.execute(sql`
      select r.rolsuper as superuser, r.rolbypassrls as bypass, r.rolinherit as inherit,
        (select count(*) from pg_class c where c.relowner = r.oid)::int as owns,
        (select count(*) from pg_auth_members m where m.member = r.oid)::int as memberships
      from pg_roles r where r.rolname = ${APP_ROLE}`),
  );
  if (!role) {
    problems.push(`role ${APP_ROLE} does not exist`);
    return problems;
  }
  if (role.superuser === true) problems.push(`role ${APP_ROLE} is a superuser`);
  if (role.bypass === true) problems.push(`role ${APP_ROLE} has BYPASSRLS`);
  if (Number(role.owns) > 0) problems.push(`role ${APP_ROLE} owns ${role.owns} relation(s)`);
  if (Number(role.memberships) > 0)
    problems.push(`role ${APP_ROLE} is a member of other roles (could inherit their rights)`);
  // Writable audit history would make the chain the only defence: the app may only add to it.
  const auditWrites = allRows(
    await owner.execute(sql`
      select table_name as name, privilege_type as privilege from information_schema.role_table_grants
      where grantee = ${APP_ROLE} and table_name in ('audit_events', 'audit_checkpoints', 'audit_signing_keys')
        and privilege_type in ('UPDATE', 'DELETE', 'TRUNCATE')`),
  );
  for (const g of auditWrites) problems.push(`role ${APP_ROLE} may ${g.privilege} ${g.name}`);
  return problems;
}
