/** What the security channel is told, as data; the Slack edge renders it (views/security-notices.ts). */

export interface EndedGrant {
  grantId: string;
  resource: string;
  identity: string;
  provider: string;
}

export interface Reassignment {
  requestId: string;
  resource: string;
  requesterId: string;
  removed: string[];
  added: string[];
  /** Fewer approvers remain than the request needs: its owners (or the admins) were told. */
  short: boolean;
}

export type SecurityNotice =
  | {
      type: 'offboarded';
      /** How the person is named: an email, or a Slack mention. */
      person: string;
      slackUserIds: string[];
      source: 'slack' | 'scim';
      grants: EndedGrant[];
      cancelledRequests: Array<{ requestId: string; resource: string }>;
      reassigned: Reassignment[];
      /** Review items they had still to decide, handed to another reviewer. */
      reviewItemsReassigned?: number;
    }
  | {
      type: 'signal';
      signalId: string;
      person: string;
      slackUserIds: string[];
      severity: string;
      signalType: string;
      summary: string;
      rule: string | null;
      grants: EndedGrant[];
      frozenUntil: string | null;
    }
  | {
      type: 'no_longer_allowed';
      slackUserId: string;
      why: string;
      grants: EndedGrant[];
    };

export function endedGrant(grant: { id: string; resource: string; identity: string; providerName: string }): EndedGrant {
  return { grantId: grant.id, resource: grant.resource, identity: grant.identity, provider: grant.providerName };
}
