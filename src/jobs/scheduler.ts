import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { JobName } from '../services/deps.js';
import type { Job } from './job.js';

interface JobState {
  running: Promise<void> | null;
  queued: Promise<void> | null;
}

/**
 * Runs each job on its schedule and on demand. Runs of one job never overlap in this process; a wake
 * while a run is in progress queues exactly one more run, so work that arrived meanwhile is picked up.
 * Across processes, jobs claim rows in the database instead (invariant 7).
 */
export class Scheduler {
  private readonly jobs = new Map<JobName, Job>();
  private readonly state = new Map<JobName, JobState>();
  private readonly tasks: ScheduledTask[] = [];
  private stopped = false;

  constructor(jobs: readonly Job[], private readonly logger: Logger) {
    for (const job of jobs) {
      this.jobs.set(job.name, job);
      this.state.set(job.name, { running: null, queued: null });
    }
  }

  start(): void {
    for (const job of this.jobs.values()) {
      this.tasks.push(cron.schedule(job.schedule, () => this.runNow(job.name), { name: job.name, noOverlap: true, logger: this.cronLogger(job.name) }));
    }
  }

  /** Asks for a run soon, without waiting for it. */
  wake(name: JobName): void {
    void this.runNow(name);
  }

  /** Runs the job (after any run in progress) and resolves when that run is done. */
  runNow(name: JobName): Promise<void> {
    const job = this.jobs.get(name);
    const state = this.state.get(name);
    if (!job || !state || this.stopped) return Promise.resolve();
    if (state.queued) return state.queued;
    const queued = (state.running ?? Promise.resolve()).then(() => {
      state.queued = null;
      const running = this.execute(job);
      state.running = running;
      return running.finally(() => {
        if (state.running === running) state.running = null;
      });
    });
    state.queued = queued;
    return queued;
  }

  /** Stops claiming new work and waits for runs in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.tasks.map((t) => t.stop()));
    await Promise.all([...this.state.values()].map((s) => s.queued ?? s.running));
  }

  /** node-cron's own messages as structured logs; a tick skipped while the last run goes on is expected. */
  private cronLogger(job: JobName) {
    const log = this.logger.child({ job, component: 'node-cron' });
    const text = (message: string | Error) => (message instanceof Error ? message.message : message);
    return {
      info: (message: string) => log.debug(message),
      warn: (message: string) => (message.includes('overlap') ? log.debug(message) : log.warn(message)),
      error: (message: string | Error) => log.error(text(message)),
      debug: (message: string | Error) => log.debug(text(message)),
    };
  }

  private async execute(job: Job): Promise<void> {
    try {
      await job.run();
    } catch (error) {
      this.logger.error({ job: job.name, err: (error as Error).message }, 'job failed; it runs again on its schedule');
    }
  }
}
