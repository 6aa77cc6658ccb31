import { GENESIS_HASH, verifyChain, type ChainVerdict } from '../domain/audit-chain.js';
import type { AuditRepo } from '../store/audit-repo.js';

const PAGE = 1_000;

/** Walks the whole audit log in id order, a page at a time, and names the first broken link (invariant 6). */
export async function verifyAuditLog(audit: Pick<AuditRepo, 'page'>): Promise<ChainVerdict> {
  let checked = 0;
  let prevHash = GENESIS_HASH;
  let afterId = 0;
  for (;;) {
    const page = await audit.page(afterId, PAGE);
    if (page.length === 0) return { ok: true, checked, lastHash: prevHash };
    const verdict = verifyChain(page, prevHash, checked);
    if (!verdict.ok) return verdict;
    ({ checked, lastHash: prevHash } = verdict);
    afterId = page[page.length - 1]!.id;
  }
}
