import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createStore } from '../../src/store/store.js';
import { createScratchDatabase, postgresAvailable, type ScratchDatabase } from '../support/databases.js';

/** The Slack rate budget and replay memory are shared by replicas; here two stores stand for two replicas. */
const havePostgres = await postgresAvailable();

describe.skipIf(!havePostgres)('the shared Slack rate budget on PostgreSQL, across two replicas', () => {
  let scratch: ScratchDatabase;
  let one: Database;
  let two: Database;

  beforeAll(async () => {
    scratch = await createScratchDatabase('keycard_rate');
    one = await openDatabase({ url: scratch.url, dataDir: 'unused' });
    two = await openDatabase({ url: scratch.url, dataDir: 'unused' });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await scratch?.drop();
  });

  const window = new Date('2026-12-04T10:00:00Z');

  it('hands out exactly the limit of a window, however the calls are spread over replicas', async () => {
    const stores = [createStore(one), createStore(two)];
    const takes = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.slackRate.take('chat.update', window, 25)));
    expect(takes.filter(Boolean)).toHaveLength(25);
    expect(await stores[0]!.slackRate.take('chat.update', new Date(window.getTime() + 60_000), 25)).toBe(true); // a new window
    expect(await stores[1]!.slackRate.take('users.info', window, 25)).toBe(true); // another bucket
  });

  it('shares a Retry-After: a block set by one replica stops the other, and only a later one extends it', async () => {
    const [a, b] = [createStore(one), createStore(two)];
    await a.slackRate.block('chat.postMessage:C1', new Date(window.getTime() + 30_000));
    expect(await b.slackRate.blockedUntil('chat.postMessage:C1', window)).toEqual(new Date(window.getTime() + 30_000));
    await b.slackRate.block('chat.postMessage:C1', new Date(window.getTime() + 5_000)); // shorter: ignored
    expect(await a.slackRate.blockedUntil('chat.postMessage:C1', window)).toEqual(new Date(window.getTime() + 30_000));
    expect(await a.slackRate.blockedUntil('chat.postMessage:C1', new Date(window.getTime() + 31_000))).toBeNull();
  });

  it('remembers a request signature once across replicas', async () => {
    const [a, b] = [createStore(one), createStore(two)];
    const sightings = await Promise.all([a.seenRequests.firstSighting('sig:v0=abc', window), b.seenRequests.firstSighting('sig:v0=abc', window)]);
    expect(sightings.filter(Boolean)).toHaveLength(1);
    await b.seenRequests.forgetBefore(new Date(window.getTime() + 1));
    expect(await a.seenRequests.firstSighting('sig:v0=abc', window)).toBe(true);
  });
});
