import type { Router } from "../../../http/router.js";

/** The catalogue GET /v1/Services/Usecases answers (descriptions paraphrase Twilio's). */
const USECASE_CATALOGUE = [
  {
    usecase: "notifications",
    description: "Transactional alerts and notifications: deliveries, accounts, reminders, orders, security.",
    purpose: "Notify my users.",
  },
  {
    usecase: "marketing",
    description: "Product information, offers and calls to action that engage customers.",
    purpose: "Market my services.",
  },
  {
    usecase: "verification",
    description: "One-time passcodes and two-factor authentication.",
    purpose: "Verify my users.",
  },
  {
    usecase: "discussion",
    description: "Two-way conversations such as customer care and support.",
    purpose: "Talk with my users.",
  },
  { usecase: "poll", description: "Surveys, polls and voting.", purpose: "Poll my users." },
  { usecase: "undeclared", description: "A use case not declared yet.", purpose: "Undeclared." },
];

export function registerServiceUsecases(r: Router) {
  r.get("/messaging/v1/Services/Usecases", () => ({ status: 200, body: { usecases: USECASE_CATALOGUE } }));
}
