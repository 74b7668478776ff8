import { POLICY, a2pTrustProduct, addressDocument, secondaryProfile } from "./bundles.js";
import { buyNumber } from "./numbers.js";
import type { Walk } from "./walk.js";

export const trustHubWalks: Walk[] = [
  {
    name: "Trust Hub: policies, end-user types and supporting-document types",
    operations: [
      "ListPolicies",
      "FetchPolicies",
      "ListEndUserType",
      "FetchEndUserType",
      "ListSupportingDocumentType",
      "FetchSupportingDocumentType",
    ],
    async run({ tenant }) {
      const hub = tenant.trusthub.v1;
      await hub.policies.list({ limit: 50 });
      for (const sid of Object.values(POLICY)) await hub.policies(sid).fetch();
      const endUserTypes = await hub.endUserTypes.list({ limit: 50 });
      await hub.endUserTypes(endUserTypes[0].sid).fetch();
      const documentTypes = await hub.supportingDocumentTypes.list({ limit: 50 });
      await hub.supportingDocumentTypes(documentTypes[0].sid).fetch();
    },
  },
  {
    name: "Trust Hub: end users created, listed, fetched, updated and deleted",
    operations: ["CreateEndUser", "ListEndUser", "FetchEndUser", "UpdateEndUser", "DeleteEndUser"],
    async run({ tenant }) {
      const hub = tenant.trusthub.v1;
      const person = await hub.endUsers.create({
        friendlyName: "Sole proprietor",
        type: "sole_proprietor_information",
        attributes: { brand_name: "Jane's Bakery", mobile_phone_number: "+14155550125", vertical: "RETAIL" },
      });
      await hub.endUsers.list({ limit: 20 });
      await hub.endUsers(person.sid).fetch();
      await hub.endUsers(person.sid).update({ friendlyName: "Sole proprietor (Jane)" });
      await hub.endUsers(person.sid).remove();
    },
  },
  {
    name: "Trust Hub: supporting documents created, listed, fetched, updated and deleted",
    operations: [
      "CreateSupportingDocument",
      "ListSupportingDocument",
      "FetchSupportingDocument",
      "UpdateSupportingDocument",
      "DeleteSupportingDocument",
    ],
    async run({ tenant }) {
      const hub = tenant.trusthub.v1;
      const document = await addressDocument(tenant);
      await hub.supportingDocuments.list({ limit: 20 });
      await hub.supportingDocuments(document.sid).fetch();
      await hub.supportingDocuments(document.sid).update({ friendlyName: "Registered office" });
      await hub.supportingDocuments(document.sid).remove();
    },
  },
  {
    name: "Trust Hub: a secondary customer profile with assignments, evaluations and a phone number",
    operations: [
      "CreateCustomerProfile",
      "ListCustomerProfile",
      "FetchCustomerProfile",
      "UpdateCustomerProfile",
      "DeleteCustomerProfile",
      "CreateCustomerProfileEntityAssignment",
      "ListCustomerProfileEntityAssignment",
      "FetchCustomerProfileEntityAssignment",
      "DeleteCustomerProfileEntityAssignment",
      "CreateCustomerProfileEvaluation",
      "ListCustomerProfileEvaluation",
      "FetchCustomerProfileEvaluation",
      "CreateCustomerProfileChannelEndpointAssignment",
      "ListCustomerProfileChannelEndpointAssignment",
      "FetchCustomerProfileChannelEndpointAssignment",
      "DeleteCustomerProfileChannelEndpointAssignment",
    ],
    async run(ctx) {
      const { tenant, em } = ctx;
      const hub = tenant.trusthub.v1;
      const draft = await hub.customerProfiles.create({
        friendlyName: "Incomplete profile",
        email: "compliance@janesbakery.com",
        policySid: POLICY.secondaryProfile,
      });
      const profile = hub.customerProfiles(draft.sid);
      const evaluation = await profile.customerProfilesEvaluations.create({
        policySid: POLICY.secondaryProfile,
      });
      await profile.customerProfilesEvaluations.list();
      await profile.customerProfilesEvaluations(evaluation.sid).fetch();
      const stray = await addressDocument(tenant);
      const assignment = await profile.customerProfilesEntityAssignments.create({ objectSid: stray.sid });
      await profile.customerProfilesEntityAssignments.list();
      await profile.customerProfilesEntityAssignments(assignment.sid).fetch();
      await profile.customerProfilesEntityAssignments(assignment.sid).remove();
      await profile.remove();

      const submitted = await secondaryProfile(ctx);
      await hub.customerProfiles.list({ pageSize: 1, limit: 3 });
      await hub.customerProfiles.list({ policySid: POLICY.secondaryProfile, limit: 20 });
      await em.advance(3600);
      await hub.customerProfiles(submitted.sid).fetch();
      // A website on localhost gets the profile rejected: the fetched profile carries its errors.
      const rejected = await secondaryProfile(ctx, { website_url: "http://localhost:3000" });
      await em.advance(3600);
      await hub.customerProfiles(rejected.sid).fetch();
      const endpoints = hub.customerProfiles(submitted.sid).customerProfilesChannelEndpointAssignment;
      const endpoint = await endpoints.create({
        channelEndpointType: "phone-number",
        channelEndpointSid: (await buyNumber(tenant)).sid,
      });
      await endpoints.list();
      await endpoints(endpoint.sid).fetch();
      await endpoints(endpoint.sid).remove();
    },
  },
  {
    name: "Trust Hub: an A2P trust product with assignments, evaluations and a phone number",
    operations: [
      "CreateTrustProduct",
      "ListTrustProduct",
      "FetchTrustProduct",
      "UpdateTrustProduct",
      "DeleteTrustProduct",
      "CreateTrustProductEntityAssignment",
      "ListTrustProductEntityAssignment",
      "FetchTrustProductEntityAssignment",
      "DeleteTrustProductEntityAssignment",
      "CreateTrustProductEvaluation",
      "ListTrustProductEvaluation",
      "FetchTrustProductEvaluation",
      "CreateTrustProductChannelEndpointAssignment",
      "ListTrustProductChannelEndpointAssignment",
      "FetchTrustProductChannelEndpointAssignment",
      "DeleteTrustProductChannelEndpointAssignment",
    ],
    async run(ctx) {
      const { tenant, em } = ctx;
      const hub = tenant.trusthub.v1;
      const profile = await secondaryProfile(ctx);
      const submitted = await a2pTrustProduct(ctx, profile.sid);
      const product = hub.trustProducts(submitted.sid);
      await hub.trustProducts.list({ limit: 20 });
      const [assignment] = await product.trustProductsEntityAssignments.list();
      await product.trustProductsEntityAssignments(assignment.sid).fetch();
      const [evaluation] = await product.trustProductsEvaluations.list();
      await product.trustProductsEvaluations(evaluation.sid).fetch();
      await em.advance(3600);
      await product.fetch();
      const endpoints = product.trustProductsChannelEndpointAssignment;
      const endpoint = await endpoints.create({
        channelEndpointType: "phone-number",
        channelEndpointSid: (await buyNumber(tenant)).sid,
      });
      await endpoints.list();
      await endpoints(endpoint.sid).fetch();
      await endpoints(endpoint.sid).remove();
      const extra = await hub.endUsers.create({
        friendlyName: "Second messaging profile",
        type: "us_a2p_messaging_profile_information",
        attributes: { company_type: "private" },
      });
      const draft = await hub.trustProducts.create({
        friendlyName: "Draft A2P",
        email: "compliance@janesbakery.com",
        policySid: POLICY.standardA2p,
      });
      const added = await hub
        .trustProducts(draft.sid)
        .trustProductsEntityAssignments.create({ objectSid: extra.sid });
      await hub.trustProducts(draft.sid).trustProductsEntityAssignments(added.sid).remove();
      await hub.trustProducts(draft.sid).remove();
    },
  },
];
