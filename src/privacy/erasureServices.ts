import type { AppServices } from '../server/appServices';
import { erasureRefKey } from './erasureRef';
import type { StartErasureServices } from './eraseCustomer';

const cache = new WeakMap<AppServices, StartErasureServices>();

/** The erasure procedure's services for a running gateway (reference key derived from JWT_SECRET). */
export function erasureServicesOf(app: AppServices): StartErasureServices {
  let svc = cache.get(app);
  if (!svc) {
    svc = { conn: app.conn, keyStore: app.keyStore, refKey: erasureRefKey(app.config.jwtSecret) };
    cache.set(app, svc);
  }
  return svc;
}
