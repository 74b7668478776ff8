// A toll-free verification as stored, apart from the routes (index.ts) and the review (review.ts) that both use it.

export const TOLLFREE_VERIFICATIONS = "tollfree_verifications";

export type TollfreeStatus = "PENDING_REVIEW" | "IN_REVIEW" | "TWILIO_APPROVED" | "TWILIO_REJECTED";
export type TollfreeVerification = { sid: string; account_sid: string; status: TollfreeStatus } & Record<
  string,
  any
>;
