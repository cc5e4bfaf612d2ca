import type { Connection } from 'mongoose';
import type { Config } from '../config';
import type { PolicySet } from '../policy';
import type { KeyStore } from '../crypto';
import { accessLogModel, type AccessLogModel } from '../audit/accessLogModel';
import { customerModel, type CustomerModel } from '../customers/customerModel';
import { taskModel, type TaskModel } from '../tasks/taskModel';

/** What every request shares: configuration, the database connection and its models, the loaded policies. */
export interface AppServices {
  config: Config;
  conn: Connection;
  /** Current policies; replaced as a whole on reload, never mutated. */
  policies: PolicySet;
  /** Per-customer data keys, wrapped by the master key. */
  keyStore: KeyStore;
  models: { customers: CustomerModel; tasks: TaskModel; accessLog: AccessLogModel };
}

export function createModels(conn: Connection): AppServices['models'] {
  return { customers: customerModel(conn), tasks: taskModel(conn), accessLog: accessLogModel(conn) };
}
