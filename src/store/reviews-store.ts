import type { Db } from './db.js';
import { reviewCampaignsRepo } from './review-campaigns-repo.js';
import { reviewEvidenceRepo } from './review-evidence-repo.js';
import { reviewItemsRepo } from './review-items-repo.js';
import { reviewMessagesRepo } from './review-messages-repo.js';

/** The review aggregate's repositories, grouped so the store gains one entry. */
export function reviewsStore(db: Db) {
  return {
    campaigns: reviewCampaignsRepo(db),
    items: reviewItemsRepo(db),
    messages: reviewMessagesRepo(db),
    evidence: reviewEvidenceRepo(db),
  };
}

export type ReviewsStore = ReturnType<typeof reviewsStore>;
