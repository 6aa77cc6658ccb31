import { and, asc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.js';
import { isUuid } from './requests-repo.js';
import { directoryGroupMembers, directoryGroups, directoryUsers } from './schema-directory.js';

export type DirectoryUser = typeof directoryUsers.$inferSelect;
export type DirectoryGroup = typeof directoryGroups.$inferSelect;
export type DirectoryUserFields = Omit<DirectoryUser, 'id' | 'createdAt' | 'updatedAt'>;

/** Attributes a SCIM filter may compare with `eq`; values are matched as SCIM says (userName ignoring case). */
export type UserFilterAttribute = 'id' | 'userName' | 'externalId' | 'email' | 'displayName';
export type GroupFilterAttribute = 'id' | 'displayName' | 'externalId';
export interface Equals<A extends string> {
  attribute: A;
  value: string;
}

export interface Page<T> {
  total: number;
  rows: T[];
}

/** The directory as the identity provider provisions it over SCIM: users, groups, memberships. */
export function directoryRepo(db: Db) {
  const userCondition = ({ attribute, value }: Equals<UserFilterAttribute>): SQL => {
    switch (attribute) {
      case 'id':
        return isUuid(value) ? eq(directoryUsers.id, value) : sql`false`;
      case 'userName':
        return sql`lower(${directoryUsers.userName}) = lower(${value})`;
      case 'email':
        return sql`lower(${directoryUsers.email}) = lower(${value})`;
      case 'externalId':
        return eq(directoryUsers.externalId, value);
      case 'displayName':
        return eq(directoryUsers.displayName, value);
    }
  };
  const groupCondition = ({ attribute, value }: Equals<GroupFilterAttribute>): SQL => {
    switch (attribute) {
      case 'id':
        return isUuid(value) ? eq(directoryGroups.id, value) : sql`false`;
      case 'displayName':
        return sql`lower(${directoryGroups.displayName}) = lower(${value})`;
      case 'externalId':
        return eq(directoryGroups.externalId, value);
    }
  };

  return {
    /** Null when the userName is taken (SCIM answers 409 uniqueness). */
    async insertUser(fields: DirectoryUserFields, now: Date): Promise<DirectoryUser | null> {
      const [row] = await db.insert(directoryUsers).values({ ...fields, createdAt: now, updatedAt: now }).onConflictDoNothing().returning();
      return row ?? null;
    },

    async findUser(id: string): Promise<DirectoryUser | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(directoryUsers).where(eq(directoryUsers.id, id));
      return row ?? null;
    },

    /** Locks the user's row until the transaction ends, so two PATCHes of one person apply in turn. */
    async lockUser(id: string): Promise<DirectoryUser | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(directoryUsers).where(eq(directoryUsers.id, id)).for('update');
      return row ?? null;
    },

    async userNameTaken(userName: string, exceptId: string): Promise<boolean> {
      const rows = await db
        .select({ id: directoryUsers.id })
        .from(directoryUsers)
        .where(and(sql`lower(${directoryUsers.userName}) = lower(${userName})`, sql`${directoryUsers.id} <> ${exceptId}`));
      return rows.length > 0;
    },

    async updateUser(id: string, fields: DirectoryUserFields, now: Date): Promise<DirectoryUser | null> {
      const [row] = await db.update(directoryUsers).set({ ...fields, updatedAt: now }).where(eq(directoryUsers.id, id)).returning();
      return row ?? null;
    },

    async deleteUser(id: string): Promise<DirectoryUser | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.delete(directoryUsers).where(eq(directoryUsers.id, id)).returning();
      return row ?? null;
    },

    /** A stable order (creation, then id) so paging with startIndex never skips or repeats (Okta pages by 100). */
    async listUsers(filters: Equals<UserFilterAttribute>[], offset: number, limit: number): Promise<Page<DirectoryUser>> {
      const where = filters.length > 0 ? and(...filters.map(userCondition)) : undefined;
      const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(directoryUsers).where(where);
      const rows = limit === 0 ? [] : await db.select().from(directoryUsers).where(where).orderBy(asc(directoryUsers.createdAt), asc(directoryUsers.id)).offset(offset).limit(limit);
      return { total: Number(count?.n ?? 0), rows };
    },

    /** Directory users who are this person: by their Slack id, or by email / userName matching theirs. */
    async findPerson(person: { slackUserId?: string | null; email?: string | null }): Promise<DirectoryUser[]> {
      const conditions: SQL[] = [];
      if (person.slackUserId) conditions.push(eq(directoryUsers.slackUserId, person.slackUserId));
      if (person.email) {
        conditions.push(sql`lower(${directoryUsers.email}) = lower(${person.email})`, sql`lower(${directoryUsers.userName}) = lower(${person.email})`);
      }
      if (conditions.length === 0) return [];
      return db.select().from(directoryUsers).where(sql.join(conditions, sql` OR `));
    },

    /** Each person's manager, as Slack user ids, where the directory records both (access reviews route by it). */
    async managersOf(slackUserIds: readonly string[]): Promise<Map<string, string>> {
      if (slackUserIds.length === 0) return new Map();
      const result = await db.execute(sql`
        SELECT u.slack_user_id AS person, m.slack_user_id AS manager
        FROM directory_users u
        JOIN directory_users m ON m.id::text = u.manager OR m.external_id = u.manager
        WHERE u.active AND m.active AND m.slack_user_id IS NOT NULL
          AND u.slack_user_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(slackUserIds)}::jsonb))`);
      // postgres.js answers with the rows, PGlite with { rows }.
      const rows = (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as Array<{ person: string; manager: string }>;
      return new Map(rows.map((r) => [r.person, r.manager]));
    },

    async linkSlackUser(id: string, slackUserId: string): Promise<void> {
      await db.update(directoryUsers).set({ slackUserId }).where(eq(directoryUsers.id, id));
    },

    async insertGroup(fields: { displayName: string; externalId: string | null; resource: Record<string, unknown> }, now: Date): Promise<DirectoryGroup | null> {
      const [row] = await db.insert(directoryGroups).values({ ...fields, createdAt: now, updatedAt: now }).onConflictDoNothing().returning();
      return row ?? null;
    },

    async findGroup(id: string): Promise<DirectoryGroup | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(directoryGroups).where(eq(directoryGroups.id, id));
      return row ?? null;
    },

    async lockGroup(id: string): Promise<DirectoryGroup | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(directoryGroups).where(eq(directoryGroups.id, id)).for('update');
      return row ?? null;
    },

    async groupNameTaken(displayName: string, exceptId: string): Promise<boolean> {
      const rows = await db
        .select({ id: directoryGroups.id })
        .from(directoryGroups)
        .where(and(sql`lower(${directoryGroups.displayName}) = lower(${displayName})`, sql`${directoryGroups.id} <> ${exceptId}`));
      return rows.length > 0;
    },

    async updateGroup(id: string, fields: { displayName: string; externalId: string | null; resource: Record<string, unknown> }, now: Date): Promise<DirectoryGroup | null> {
      const [row] = await db.update(directoryGroups).set({ ...fields, updatedAt: now }).where(eq(directoryGroups.id, id)).returning();
      return row ?? null;
    },

    async deleteGroup(id: string): Promise<DirectoryGroup | null> {
      if (!isUuid(id)) return null;
      const [row] = await db.delete(directoryGroups).where(eq(directoryGroups.id, id)).returning();
      return row ?? null;
    },

    async listGroups(filters: Equals<GroupFilterAttribute>[], offset: number, limit: number): Promise<Page<DirectoryGroup>> {
      const where = filters.length > 0 ? and(...filters.map(groupCondition)) : undefined;
      const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(directoryGroups).where(where);
      const rows = limit === 0 ? [] : await db.select().from(directoryGroups).where(where).orderBy(asc(directoryGroups.createdAt), asc(directoryGroups.id)).offset(offset).limit(limit);
      return { total: Number(count?.n ?? 0), rows };
    },

    /** Members with the userName SCIM shows as `display`. */
    async groupMembers(groupId: string): Promise<Array<{ userId: string; userName: string }>> {
      return db
        .select({ userId: directoryGroupMembers.userId, userName: directoryUsers.userName })
        .from(directoryGroupMembers)
        .innerJoin(directoryUsers, eq(directoryUsers.id, directoryGroupMembers.userId))
        .where(eq(directoryGroupMembers.groupId, groupId))
        .orderBy(asc(directoryUsers.userName));
    },

    /** Replaces the member list; unknown user ids are ignored. Says who joined and who left. */
    async setGroupMembers(groupId: string, userIds: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
      const wanted = [...new Set(userIds.filter(isUuid))];
      const existing = wanted.length === 0 ? [] : await db.select({ id: directoryUsers.id }).from(directoryUsers).where(inArray(directoryUsers.id, wanted));
      const target = new Set(existing.map((r) => r.id));
      const current = new Set((await db.select({ userId: directoryGroupMembers.userId }).from(directoryGroupMembers).where(eq(directoryGroupMembers.groupId, groupId))).map((r) => r.userId));
      const added = [...target].filter((id) => !current.has(id));
      const removed = [...current].filter((id) => !target.has(id));
      if (added.length > 0) await db.insert(directoryGroupMembers).values(added.map((userId) => ({ groupId, userId }))).onConflictDoNothing();
      if (removed.length > 0) {
        await db.delete(directoryGroupMembers).where(and(eq(directoryGroupMembers.groupId, groupId), inArray(directoryGroupMembers.userId, removed)));
      }
      return { added, removed };
    },

    async groupsOfUser(userId: string): Promise<DirectoryGroup[]> {
      return db
        .select({ group: directoryGroups })
        .from(directoryGroupMembers)
        .innerJoin(directoryGroups, eq(directoryGroups.id, directoryGroupMembers.groupId))
        .where(eq(directoryGroupMembers.userId, userId))
        .orderBy(asc(directoryGroups.displayName))
        .then((rows) => rows.map((r) => r.group));
    },

    /** Slack ids of a named group's active members (only members Keycard could link to Slack). */
    async slackIdsInGroup(displayName: string): Promise<string[]> {
      const rows = await db
        .select({ slackUserId: directoryUsers.slackUserId })
        .from(directoryGroupMembers)
        .innerJoin(directoryGroups, eq(directoryGroups.id, directoryGroupMembers.groupId))
        .innerJoin(directoryUsers, eq(directoryUsers.id, directoryGroupMembers.userId))
        .where(and(sql`lower(${directoryGroups.displayName}) = lower(${displayName})`, eq(directoryUsers.active, true), isNotNull(directoryUsers.slackUserId)));
      return rows.map((r) => r.slackUserId!);
    },
  };
}

export type DirectoryRepo = ReturnType<typeof directoryRepo>;
