/** GET /transparency/checkpoint (the latest signed checkpoint) and GET /transparency/key (the verifier key), text/plain. */
import { Router } from 'express';
import type { AppServices } from '../core/context';
import { logger } from '../logger';
import { tlogOf } from './runtime';
import { latestCheckpoint } from './store';

export function transparencyRoutes(services: AppServices): Router {
  const router = Router();
  router.get('/transparency/checkpoint', (_req, res) => {
    latestCheckpoint(services.conn).then(
      (cp) => {
        res.setHeader('Cache-Control', 'no-store');
        if (!cp) res.status(503).type('text/plain').send('no checkpoint has been signed yet; ask again in a second\n');
        else res.status(200).type('text/plain; charset=utf-8').send(cp.note);
      },
      (err: Error) => {
        logger.error('transparency checkpoint could not be read', { error: err.name });
        res.status(503).type('text/plain').send('the checkpoint cannot be read right now\n');
      },
    );
  });
  router.get('/transparency/key', (_req, res) => {
    res.status(200).type('text/plain; charset=utf-8').send(`${tlogOf(services).verifierKey}\n`);
  });
  return router;
}
