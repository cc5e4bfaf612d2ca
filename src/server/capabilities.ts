/**
 * The capabilities the gateway is composed of, in order: a new capability is a new folder and one
 * line here. Order matters for erasure (stores are erased in this order, the customer document
 * last) and for start (each capability's `start` runs in this order).
 */
import type { Capability } from '../core/capability';
import { analyticsCapability } from '../analytics';
import { consentCapability } from '../consent';
import { customersCapability } from '../customers';
import { discoveryCapability } from '../discovery';
import { erasureCapability } from '../erasure';
import { lifecycleCapability } from '../lifecycle';
import { partnersCapability } from '../partners';
import { rectificationCapability } from '../rectification';
import { reportCapability } from '../report';
import { selfCapability } from '../self';
import { tasksCapability } from '../tasks';
import { transparencyCapability } from '../transparency';
import { verificationCapability } from '../verification';

export const CAPABILITIES: readonly Capability[] = [
  customersCapability,
  tasksCapability,
  consentCapability,
  rectificationCapability,
  verificationCapability,
  erasureCapability,
  selfCapability,
  partnersCapability,
  discoveryCapability,
  analyticsCapability,
  transparencyCapability,
  lifecycleCapability,
  reportCapability,
];
