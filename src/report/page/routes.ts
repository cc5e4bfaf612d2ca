/**
 * GET /privacy/report (the page) and GET /privacy/report/_assets/<file> (ECharts, the page's
 * script and stylesheet), all from local files. The page holds no data: it asks /graphql with the
 * token typed into it, so the same gate, policy and access log apply.
 */
import express, { type Router } from 'express';
import { reportAssets } from './assets';
import { REPORT_CSP } from './csp';
import { ASSET_PREFIX, REPORT_PATH, renderServedPage } from './html';

const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export function reportRouter(): Router {
  const assets = reportAssets();
  const html = renderServedPage(assets);
  const router = express.Router();
  router.get([REPORT_PATH, `${REPORT_PATH}/`], (_req, res) => {
    res.set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': REPORT_CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.status(200).send(html);
  });
  router.get(`${ASSET_PREFIX}:name`, (req, res) => {
    const asset = assets.get(req.params.name);
    if (!asset) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.set({ 'Content-Type': asset.contentType, 'Cache-Control': ASSET_CACHE_CONTROL, ETag: `"${asset.hash}"`, 'X-Content-Type-Options': 'nosniff' });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.status(200).send(asset.body);
  });
  return router;
}
