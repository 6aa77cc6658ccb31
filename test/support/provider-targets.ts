import { createClient } from '@redis/client';
import mysql from 'mysql2/promise';
import { servicesRequired } from './databases.js';

/**
 * The real MariaDB and Redis on this machine (CI starts the same services), as an administrator, for
 * tests that create their own accounts, roles and ACL users under unique names and remove only those.
 * Without a server these tests skip — unless KEYCARD_REQUIRE_SERVICES=1, when that is a failure.
 */
export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
export const REDIS_ADMIN_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function mysqlAvailable(): Promise<boolean> {
  const conn = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: 3_000 }).catch((error: Error) => {
    if (servicesRequired) throw new Error(`MariaDB is required (KEYCARD_REQUIRE_SERVICES=1) but ${MYSQL_ADMIN_URL} is unreachable: ${error.message}`);
    return undefined;
  });
  await conn?.end();
  return conn !== undefined;
}

/** Runs admin statements, in order, on a short-lived connection. */
export async function mysqlAdmin(...statements: string[]): Promise<void> {
  const conn = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
  try {
    for (const statement of statements) await conn.query(statement);
  } finally {
    await conn.end();
  }
}

/** One admin query's rows. */
export async function mysqlQuery(sql: string, values: unknown[] = []): Promise<mysql.RowDataPacket[]> {
  const conn = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(sql, values);
    return rows;
  } finally {
    await conn.end();
  }
}

/** The admin URL with another user (and password) or port: how a person, or a limited Keycard, connects. */
export function urlWith(adminUrl: string, change: { user?: string; password?: string; port?: number }): string {
  const url = new URL(adminUrl);
  if (change.user) url.username = change.user;
  if (change.password) url.password = change.password;
  if (change.port) url.port = String(change.port);
  return url.toString();
}

const redisAdminClient = () => createClient({ url: REDIS_ADMIN_URL, socket: { connectTimeout: 3_000, reconnectStrategy: false } });

export async function withRedisAdmin<T>(body: (redis: ReturnType<typeof redisAdminClient>) => Promise<T>): Promise<T> {
  const redis = redisAdminClient();
  redis.on('error', () => {});
  await redis.connect();
  try {
    return await body(redis);
  } finally {
    redis.destroy();
  }
}

export async function redisAvailable(): Promise<boolean> {
  try {
    return (await withRedisAdmin((redis) => redis.sendCommand<string>(['PING']))) === 'PONG';
  } catch (error) {
    if (servicesRequired) throw new Error(`Redis is required (KEYCARD_REQUIRE_SERVICES=1) but ${REDIS_ADMIN_URL} is unreachable: ${(error as Error).message}`);
    return false;
  }
}
