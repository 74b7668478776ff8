/** Twilio's Messaging v1 base URL: resources answer with it in `url`, `links` and paging URLs. */
export const MESSAGING = "https://messaging.twilio.com/v1";
