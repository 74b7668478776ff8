import type { Walk } from "./walk.js";

export const accountWalks: Walk[] = [
  {
    name: "Accounts: create, list, fetch and update a subaccount",
    operations: ["CreateAccount", "ListAccount", "FetchAccount", "UpdateAccount"],
    async run({ parent }) {
      const sub = await parent.api.v2010.accounts.create({ friendlyName: "Conformance tenant" });
      await parent.api.v2010.accounts.list({ pageSize: 2, limit: 3 });
      await parent.api.v2010.accounts.list({ friendlyName: "Conformance tenant" });
      await parent.api.v2010.accounts(sub.sid).fetch();
      await parent.api.v2010.accounts(sub.sid).update({ friendlyName: "Renamed tenant" });
      await parent.api.v2010.accounts(sub.sid).update({ status: "suspended" });
      await parent.api.v2010.accounts(sub.sid).update({ status: "active" });
    },
  },
  {
    name: "Keys: create, list, fetch, update and delete a tenant's API key",
    operations: ["CreateNewKey", "ListKey", "FetchKey", "UpdateKey", "DeleteKey"],
    async run({ parent, tenantSid }) {
      const account = parent.api.v2010.accounts(tenantSid);
      const key = await account.newKeys.create({ friendlyName: "subtext" });
      await account.keys.list();
      await account.keys(key.sid).fetch();
      await account.keys(key.sid).update({ friendlyName: "subtext (rotated)" });
      await account.keys(key.sid).remove();
    },
  },
];
