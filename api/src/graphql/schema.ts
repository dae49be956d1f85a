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
    order(id: ID!): Order
    orders(first: Int = 50, after: String, accountId: ID, parentId: ID, instrument: String, open: Boolean): OrderConnection!
    executions(first: Int = 50, after: String, accountId: ID, orderId: ID, instrument: String): ExecutionConnection!
    positions(accountId: ID): [Position!]!
    balances(accountId: ID): [Balance!]!
    pnl(accountId: ID): PnlSummary!
  }

  type ExecutionRecord {
    id: ID!
    orderId: ID!
    accountId: ID!
    instrument: String!
    venue: String!
    side: String!
    quantity: String!
    price: String!
    fee: String!
    feeCurrency: String!
    liquidity: String!
    executedAt: String!
  }
  type ExecutionEdge { cursor: String!, node: ExecutionRecord! }
  type ExecutionConnection { edges: [ExecutionEdge!]!, pageInfo: PageInfo! }

  type Position {
    accountId: ID!
    instrument: String!
    base: String!
    quote: String!
    quantity: String!
    averageCost: String
    costBasis: String!
    realizedPnl: String!
    fees: String!
  }

  type Balance { accountId: ID!, currency: String!, total: String!, reserved: String!, available: String! }

  type PnlAmounts { realizedPnl: String!, unrealizedPnl: String!, fees: String!, netPnl: String!, marketValue: String! }
  type InstrumentPnl {
    instrument: String!
    base: String!
    quote: String!
    quantity: String!
    realizedPnl: String!
    unrealizedPnl: String!
    fees: String!
    netPnl: String!
    marketValue: String!
  }
  type PnlSummary { reportingCurrency: String!, instruments: [InstrumentPnl!]!, total: PnlAmounts! }

  "Live streams of the caller's tenant; connect with { authorization: 'Bearer …' } in connection_init."
  type Subscription {
    orderUpdates: Order!
    executions: Execution!
    orderBook(instrument: String!): OrderBook!
  }

  type Mutation {
    createAccount(input: CreateAccountInput!): Account!
    updateAccount(id: ID!, input: UpdateAccountInput!): Account!
    closeAccount(id: ID!): Account!
    placeOrder(input: PlaceOrderInput!): Order!
    cancelOrder(id: ID!): Order!
  }

  input PlaceOrderInput {
    accountId: ID!
    instrument: String!
    venue: String!
    side: String!
    type: String!
    timeInForce: String!
    quantity: String!
    price: String
    postOnly: Boolean
    reduceOnly: Boolean
    stopPrice: String
    expiresAt: String
    clientOrderId: String
  }

  type Execution {
    id: ID!
    orderId: ID!
    quantity: String!
    price: String!
    fee: String!
    feeCurrency: String!
    liquidity: String!
    executedAt: String!
  }

  type Order {
    id: ID!
    "The smart-routed parent of this child order."
    parentId: ID
    clientOrderId: String!
    accountId: ID!
    instrument: String!
    venue: String!
    side: String!
    type: String!
    timeInForce: String!
    postOnly: Boolean!
    quantity: String!
    price: String
    stopPrice: String
    expiresAt: String
    status: String!
    cumQuantity: String!
    leavesQuantity: String!
    avgPrice: String
    rejectReason: String
    fills: [Execution!]!
    createdAt: String!
    updatedAt: String!
    "When a stop-limit's stop was reached and it went to the book as a limit order (UTC, microseconds); null while held."
    triggeredAt: String
  }
  type OrderEdge { cursor: String!, node: Order! }
  type OrderConnection { edges: [OrderEdge!]!, pageInfo: PageInfo! }

  type BookLevel { price: String!, quantity: String! }
  type OrderBook { instrument: String!, venue: String!, bids: [BookLevel!]!, asks: [BookLevel!]! }

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
