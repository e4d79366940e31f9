import type { Kysely } from 'kysely';
import type { Owner } from './caller.ts';
import type { DB } from './schema.ts';

export type UserProfile = { id: string; email: string; name: string; createdAt: string };

/** The signed-in user's own profile. */
export async function getUserProfile(db: Kysely<DB>, owner: Owner): Promise<UserProfile | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'created_at'])
    .where('id', '=', owner)
    .executeTakeFirst();
  return row && { id: row.id, email: row.email, name: row.name, createdAt: row.created_at.toISOString() };
}
