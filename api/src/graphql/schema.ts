// One schema for the GraphQL door; resolvers call the same engine functions as REST.
export const schema = /* GraphQL */ `
  "Arbitrary JSON (audit before/after images)."
  scalar JSON

  type Query {
    "The caller's tenant."
    tenant: Tenant!
    "One account; another tenant's id is not found."
    account(id: ID!): Account
    accounts(first: Int = 50, after: String, status: AccountStatus): AccountConnection!
    "The audit trail, newest first."
    auditEvents(first: Int = 50, after: String): AuditEventConnection!
    auditChainVerification: AuditChainReport!
  }

  type Mutation {
    createAccount(input: CreateAccountInput!): Account!
    updateAccount(id: ID!, input: UpdateAccountInput!): Account!
    closeAccount(id: ID!): Account!
  }

  type Branding {
    displayName: String!
    primaryColor: String
    secondaryColor: String
    logoMediaType: String
    customDomain: String
  }

  type Tenant {
    id: ID!
    slug: String!
    name: String!
    legalName: String!
    lei: String
    status: TenantStatus!
    defaultLocale: String!
    allowedLocales: [String!]!
    reportingCurrency: String!
    branding: Branding!
    createdAt: String!
    updatedAt: String!
  }

  enum TenantStatus { active suspended }
  enum AccountStatus { active closed }

  type Account {
    id: ID!
    code: String!
    name: String!
    baseCurrency: String!
    status: AccountStatus!
    createdAt: String!
    updatedAt: String!
  }

  input CreateAccountInput {
    code: String!
    name: String!
    baseCurrency: String
  }

  input UpdateAccountInput {
    name: String!
  }

  type PageInfo {
    endCursor: String
    hasNextPage: Boolean!
  }

  type AccountEdge { cursor: String!, node: Account! }
  type AccountConnection { edges: [AccountEdge!]!, pageInfo: PageInfo! }

  type AuditEvent {
    id: ID!
    occurredAt: String!
    actorType: String!
    actorId: String!
    action: String!
    objectType: String!
    objectId: String
    before: JSON
    after: JSON
    requestId: String
    seq: String
    hash: String
  }
  type AuditEventEdge { cursor: String!, node: AuditEvent! }
  type AuditEventConnection { edges: [AuditEventEdge!]!, pageInfo: PageInfo! }

  type AuditChainBreak { seq: String!, eventId: String, reason: String! }
  type AuditChainReport {
    ok: Boolean!
    sealed: Int!
    unsealed: Int!
    headSeq: String
    headHash: String
    firstBreak: AuditChainBreak
  }
`;
