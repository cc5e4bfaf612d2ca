export type PrincipalKind = 'staff' | 'partner' | 'customer';

/** Who is calling, from a verified token. */
export interface Principal {
  kind: PrincipalKind;
  /** Staff id, partner user id, or customer id (`sub`). */
  id: string;
  /** Staff roles; empty for partners and customers. */
  roles: string[];
  /** Partner id, for kind `partner`. */
  partner?: string;
}
