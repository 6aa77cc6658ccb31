import mysql from 'mysql2/promise';

/** Database-level privileges a grant block may name, with their column in mysql.db / mysql.user. */
export const PRIVILEGE_COLUMNS = {
  SELECT: 'Select_priv',
  INSERT: 'Insert_priv',
  UPDATE: 'Update_priv',
  DELETE: 'Delete_priv',
  CREATE: 'Create_priv',
  DROP: 'Drop_priv',
  INDEX: 'Index_priv',
  ALTER: 'Alter_priv',
  REFERENCES: 'References_priv',
  'CREATE TEMPORARY TABLES': 'Create_tmp_table_priv',
  'LOCK TABLES': 'Lock_tables_priv',
  EXECUTE: 'Execute_priv',
  'CREATE VIEW': 'Create_view_priv',
  'SHOW VIEW': 'Show_view_priv',
  'CREATE ROUTINE': 'Create_routine_priv',
  'ALTER ROUTINE': 'Alter_routine_priv',
  EVENT: 'Event_priv',
  TRIGGER: 'Trigger_priv',
} as const;

export type Privilege = keyof typeof PRIVILEGE_COLUMNS;
export const PRIVILEGES = Object.keys(PRIVILEGE_COLUMNS) as [Privilege, ...Privilege[]];

/** `'user'@'host'`, quoted as a string literal pair, the form GRANT/REVOKE take. */
export function account(user: string, host: string): string {
  return `${mysql.escape(user)}@${mysql.escape(host)}`;
}

/** A role name as an identifier (backticks; a dot is part of the name, not a qualifier). */
export function roleId(role: string): string {
  return mysql.escapeId(role, true);
}

/**
 * `db`.* for GRANT/REVOKE. In these statements `_` and `%` in a database name are wildcards, so they
 * are escaped: a grant on `app_1` must not also match `appX1`. mysql.db stores the escaped form.
 */
export function databaseLevel(database: string): { target: string; stored: string } {
  const stored = database.replace(/[\\_%]/g, (c) => `\\${c}`);
  return { target: `${mysql.escapeId(stored, true)}.*`, stored };
}

/** Privilege names come from the fixed list above, never from free text, so they can be joined as is. */
export function privilegeList(privileges: readonly Privilege[]): string {
  return privileges.join(', ');
}

/**
 * MariaDB's GRANT creates a missing account (with no password!) unless sql_mode has
 * NO_AUTO_CREATE_USER; MySQL 8 never creates one and no longer knows that mode, hence the IF.
 */
export const NO_AUTO_CREATE_USER = `SET SESSION sql_mode = IF(VERSION() LIKE '%MariaDB%',
  CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'NO_AUTO_CREATE_USER'), @@SESSION.sql_mode)`;
