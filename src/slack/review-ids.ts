/** Action ids of review messages: the contract between review-message.ts and listeners/review-actions.ts. */
export const REVIEW_ACTION = {
  keep: 'review_keep',
  revoke: 'review_revoke',
  keepPage: 'review_keep_page',
  revokePage: 'review_revoke_page',
  previousPage: 'review_page_previous',
  nextPage: 'review_page_next',
} as const;
