import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * People as the identity provider (Okta, Entra ID) provisions them over SCIM: the joiner's attributes,
 * kept for policy rules (`directory:<group>`) and reviewer routing. `resource` is the SCIM User as last
 * written (without the password Okta always sends); the columns are what Keycard queries.
 */
export const directoryUsers = pgTable(
  'directory_users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** As sent; SCIM compares userName case-insensitively (RFC 7643 §4.1.1), so the index is on lower(). */
    userName: text('user_name').notNull(),
    externalId: text('external_id'),
    email: text('email'),
    displayName: text('display_name'),
    department: text('department'),
    /** The manager's SCIM id (Entra sends it as a plain string). */
    manager: text('manager'),
    active: boolean('active').notNull().default(true),
    /** The Slack user this person is, when Slack knows their email. */
    slackUserId: text('slack_user_id'),
    resource: jsonb('resource').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('directory_users_user_name').on(sql`lower(${t.userName})`),
    index('directory_users_external_id').on(t.externalId),
    index('directory_users_email').on(sql`lower(${t.email})`),
    index('directory_users_slack').on(t.slackUserId),
  ],
);

export const directoryGroups = pgTable(
  'directory_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    displayName: text('display_name').notNull(),
    externalId: text('external_id'),
    resource: jsonb('resource').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('directory_groups_display_name').on(sql`lower(${t.displayName})`), index('directory_groups_external_id').on(t.externalId)],
);

export const directoryGroupMembers = pgTable(
  'directory_group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => directoryGroups.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => directoryUsers.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index('directory_group_members_user').on(t.userId)],
);
