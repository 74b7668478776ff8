/**
 * Complete, clean registration documents (no findings at all), one per kind. Tests change one
 * thing at a time and expect exactly the finding that change should cause.
 */
import type {
  SoleProprietorRegistration,
  StandardRegistration,
  TollFreeRegistration,
} from "@subtext/telecom/registration/document";

export function soleProprietor(): SoleProprietorRegistration {
  return {
    kind: "sole_proprietor",
    business: {
      first_name: "Jane",
      last_name: "Doe",
      email: "jane@janesbakery.com",
      phone_number: "+14155550123",
      mobile_phone_number: "+14155550124",
      brand_name: "Jane's Bakery",
      vertical: "RETAIL",
      address: {
        street: "1 Main St",
        street_secondary: null,
        city: "Springfield",
        region: "IL",
        postal_code: "62701",
        iso_country: "US",
      },
    },
    campaign: {
      use_case: "SOLE_PROPRIETOR",
      description: "Order updates from Jane's Bakery to customers who opted in at checkout.",
      message_flow:
        "Customers opt in by checking an unchecked SMS box at janesbakery.com/checkout; terms at janesbakery.com/terms, privacy at janesbakery.com/privacy.",
      message_samples: [
        "Jane's Bakery: your order [order_id] is ready for pickup. Reply STOP to opt out.",
        "Jane's Bakery: we open at [time] tomorrow. Reply HELP for help, STOP to opt out.",
      ],
      has_embedded_links: false,
      has_embedded_phone: false,
    },
  };
}

function organization() {
  return {
    legal_name: "Acme Sandwich Company LLC",
    business_type: "Limited Liability Corporation",
    business_industry: "FOOD_AND_BEVERAGE",
    website: "https://acmesandwich.com",
    address: {
      street: "500 Market St",
      city: "San Francisco",
      region: "CA",
      postal_code: "94105",
      iso_country: "US",
    },
    contact: {
      first_name: "Ana",
      last_name: "Lopez",
      email: "ana@acmesandwich.com",
      phone_number: "+14155552671",
      job_title: "CEO",
    },
  };
}

export function standard(kind: StandardRegistration["kind"] = "standard"): StandardRegistration {
  return {
    kind,
    business: { ...organization(), tax_id: "12-3456789", tax_id_country: "US" },
    campaign: {
      use_case: "ACCOUNT_NOTIFICATION",
      description: "Acme Sandwich sends order status notifications to customers who ordered online.",
      message_flow:
        "Customers enter their mobile number and tick the unchecked SMS consent box at https://acmesandwich.com/order. Terms: https://acmesandwich.com/terms; privacy: https://acmesandwich.com/privacy.",
      message_samples: [
        "Acme Sandwich: your order [order_id] will be delivered at [time]. Reply STOP to opt out.",
        "Acme Sandwich: your order [order_id] was delivered. Reply HELP for help, STOP to opt out.",
      ],
      has_embedded_links: false,
      has_embedded_phone: false,
      opt_in_keywords: ["JOIN"],
      opt_in_message:
        "Acme Sandwich: you will get order updates. Msg frequency varies. Reply HELP for help, STOP to opt out.",
    },
  };
}

export function tollFree(): TollFreeRegistration {
  return {
    kind: "toll_free",
    business: organization(),
    toll_free: {
      use_case_categories: ["ACCOUNT_NOTIFICATIONS"],
      use_case_summary: "Order status notifications to Acme Sandwich customers who opted in when ordering.",
      production_message_sample: "Acme Sandwich: your order [order_id] is on its way. Reply STOP to opt out.",
      opt_in_type: "WEB_FORM",
      opt_in_image_urls: ["https://acmesandwich.com/sms/opt-in.png"],
      message_volume: "1,000",
      notification_email: "ana@acmesandwich.com",
    },
  };
}

/** Deep copy, then let a test change one thing through a loosely typed view. */
export function edit<T>(doc: T, change: (d: any) => void): unknown {
  const copy = structuredClone(doc);
  change(copy);
  return copy;
}
