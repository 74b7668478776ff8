// Accounts and their API keys, apart from their routes: the HTTP layer authenticates with them
// and every area reads them.

export interface Account {
  sid: string;
  auth_token: string;
  owner_account_sid: string;
  friendly_name: string;
  status: "active" | "suspended" | "closed";
  type: "Trial" | "Full";
  date_created: number;
  date_updated: number;
}

export interface Key {
  sid: string;
  account_sid: string;
  secret: string;
  friendly_name: string;
  /** "main" keys may manage accounts and keys; "standard" keys may not (as Twilio's). */
  key_type: "standard" | "main";
  date_created: number;
  date_updated: number;
}

export interface Principal {
  account: Account;
  key?: Key;
}

export const ACCOUNTS = "accounts";
export const KEYS = "keys";
