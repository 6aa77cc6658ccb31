import type { JobName } from '../services/deps.js';

/** A scheduled unit of work: claims a bounded batch and is safe to run twice (or on two replicas). */
export interface Job {
  name: JobName;
  /** node-cron expression; six fields means seconds are included. */
  schedule: string;
  run(): Promise<unknown>;
}
