/**
 * The disposal job inside the gateway: a croner job on DISPOSAL_SCHEDULE (UTC). Every instance
 * keeps the timer; the lease lets one of them run. A tick while a run is in progress (here or on
 * another instance) is skipped; a failed run is logged and the next tick tries again.
 */
import { Cron } from 'croner';
import { logger } from '../../logger';
import { DisposalBusy, runDisposal, type DisposalServices } from './run';

export function scheduleDisposal(pattern: string, services: () => DisposalServices): Cron {
  return new Cron(pattern, { timezone: 'UTC', protect: true }, async () => {
    try {
      const { run } = await runDisposal(services());
      logger.info('scheduled disposal run finished', { run: run._id, status: run.status });
    } catch (err) {
      if (err instanceof DisposalBusy) logger.info('scheduled disposal run skipped: another instance holds the lease');
      else logger.error('scheduled disposal run failed; the next tick resumes it', { error: (err as Error).name });
    }
  });
}
