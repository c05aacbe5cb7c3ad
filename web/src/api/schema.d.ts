// TEMPORARY hand-written: replaced by npm run api:types
/**
 * The endpoints the dashboard calls, in openapi-typescript's output shape, as the route code answers them
 * (api/routes/*.ts). Amounts and ids are decimal strings.
 */

type Json<T> = { headers: { [name: string]: unknown }; content: { 'application/json': T } };
type ApiError = Json<components['schemas']['Error']>;
type Errors = { 400: ApiError; 401: ApiError; 403: ApiError; 404: ApiError; 429: ApiError; 503: ApiError };
type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type GuildPath = { guildId: string };
type Unused = { put?: never; delete?: never; options?: never; head?: never; patch?: never; trace?: never };
type Op<Query, Res, Path = GuildPath> = {
  parameters: { query?: Query; header?: never; path: Path; cookie?: never };
  requestBody?: never;
  responses: { 200: Json<Res>; 201: Json<Res> } & Errors;
};
type WithBody<Body, Res, Path = GuildPath> = Omit<Op<never, Res, Path>, 'requestBody'> & { requestBody: { content: { 'application/json': Body } } };
type Get<Query, Res> = { parameters: NoParams; get: Op<Query, Res>; post?: never } & Unused;
/** A POST with a JSON body, or without one when Body is `never`. */
type Post<Body, Res, Path = GuildPath> = { parameters: NoParams; get?: never; post: [Body] extends [never] ? Op<never, Res, Path> : WithBody<Body, Res, Path> } & Unused;
/** A claim's review or revoke: 409 with the workflow's refusal (same shape) when it does not apply. */
type ClaimAction<Body> = {
  parameters: NoParams;
  get?: never;
  post: Omit<WithBody<Body, S['ActionResult'], GuildPath & { taskId: number; userId: string }>, 'responses'> & {
    responses: { 200: Json<S['ActionResult']>; 409: Json<S['ActionResult']> } & Errors;
  };
} & Unused;

type S = components['schemas'];

export interface paths {
  '/api/auth/refresh': {
    parameters: NoParams;
    get?: never;
    post: {
      parameters: { query?: never; header: { 'X-Guildflow-CSRF': '1' }; path?: never; cookie?: never };
      requestBody?: never;
      responses: { 200: Json<S['Session']>; 401: ApiError };
    };
  } & Unused;
  '/api/auth/logout': {
    parameters: NoParams;
    get?: never;
    post: {
      parameters: { query?: never; header: { 'X-Guildflow-CSRF': '1' }; path?: never; cookie?: never };
      requestBody?: never;
      responses: { 204: { headers: { [name: string]: unknown }; content?: never }; 401: ApiError };
    };
  } & Unused;
  '/api/guilds/{guildId}/ledger/stats': Get<{ since?: string; until?: string; asset?: string; top?: number }, S['LedgerStats']>;
  '/api/guilds/{guildId}/ledger/assets': Get<never, { assets: S['Asset'][] }>;
  '/api/guilds/{guildId}/ledger/accounts': Get<
    { asset?: string; ownerType?: 'user' | 'system'; cursor?: string; limit?: number },
    { accounts: S['AccountSummary'][]; nextCursor: string | null }
  >;
  '/api/guilds/{guildId}/ledger/holders': Get<
    { asset?: string; limit?: number; cursor?: string },
    { asset: string; total: number; holders: S['Holder'][]; nextCursor: string | null; nextOffset: number | null }
  >;
  '/api/guilds/{guildId}/ledger/entries': Get<S['EntryFilters'] & { cursor?: string; limit?: number }, { entries: S['LedgerEntry'][]; nextCursor: string | null }>;
  '/api/guilds/{guildId}/ledger/validate': Post<never, S['ValidationReport']>;
  '/api/guilds/{guildId}/flows/stuck': Get<{ limit?: number }, { items: S['StuckFlow'][] }>;
  '/api/guilds/{guildId}/members': Get<{ search?: string; cursor?: string; limit?: number }, { items: S['Member'][]; nextCursor: string | null }>;
  '/api/guilds/{guildId}/economy/adjustments': Post<S['AdjustmentRequest'], S['Adjustment']>;
  '/api/guilds/{guildId}': Get<never, S['Guild']>;
  '/api/guilds/{guildId}/settings': {
    parameters: NoParams;
    get?: never;
    post?: never;
    patch: WithBody<Partial<Omit<S['GuildSettings'], 'guildId' | 'createdAt' | 'updatedAt'>>, S['GuildSettings']>;
  } & Omit<Unused, 'patch'>;
  '/api/guilds/{guildId}/economy/settings': {
    parameters: NoParams;
    get: Op<never, S['EconomySettings']>;
    post?: never;
    patch: WithBody<Partial<Omit<S['EconomySettings'], 'guildId' | 'currency'> & { currencyName: string; currencyEmoji: string }>, S['EconomySettings']>;
  } & Omit<Unused, 'patch'>;
  '/api/guilds/{guildId}/orders': Get<{ status?: S['OrderStatus']; userId?: string; cursor?: string; limit?: number }, { items: S['CodeOrder'][]; nextCursor: string | null; next: string | null }>;
  '/api/guilds/{guildId}/orders/{orderId}/process': Post<{ action: 'retry' | 'complete' | 'refund' }, { orderId: string; action: string; accepted: boolean }, GuildPath & { orderId: string }>;
  '/api/guilds/{guildId}/payments/topups': Get<{ status?: S['TopupStatus']; userId?: string; cursor?: string; limit?: number }, { items: S['Payment'][]; nextCursor: string | null; next: string | null }>;
  '/api/guilds/{guildId}/shop/items': Get<{ includeRemoved?: 'true' | 'false'; category?: string; cursor?: string; limit?: number }, { items: S['ShopItem'][]; total: number; nextCursor: string | null }>;
  '/api/guilds/{guildId}/sync': Get<{ state?: S['SyncState']; entityType?: string; cursor?: string; limit?: number }, { items: S['SyncMessage'][]; nextCursor: string | null }>;
  '/api/guilds/{guildId}/announcements': {
    parameters: NoParams;
    get: Op<{ status?: S['Announcement']['status']; cursor?: string; limit?: number }, { items: S['Announcement'][]; nextCursor: string | null }>;
    post: WithBody<S['AnnouncementCreate'] & { id?: string }, S['Announcement'] & { sync: unknown }>;
  } & Omit<Unused, 'post'>;
  '/api/guilds/{guildId}/announcements/{announcementId}': {
    parameters: NoParams;
    get?: never;
    post?: never;
    delete: Op<never, S['Announcement'] & { sync: unknown }, GuildPath & { announcementId: string }>;
  } & Omit<Unused, 'delete'>;
  '/api/guilds/{guildId}/tasks/claims': Get<
    { status?: S['ClaimStatus']; taskId?: number; userId?: string; since?: string; until?: string; cursor?: string; limit?: number },
    { items: S['TaskClaim'][]; nextCursor: string | null }
  >;
  '/api/guilds/{guildId}/tasks/{taskId}/claims/{userId}/review': ClaimAction<{ decision: 'accept' | 'reject'; reason?: string }>;
  '/api/guilds/{guildId}/tasks/{taskId}/claims/{userId}/revoke': ClaimAction<{ reason: string }>;
  '/api/guilds/{guildId}/api-tokens': {
    parameters: NoParams;
    get: Op<never, { tokens: S['ApiToken'][] }>;
    post: WithBody<{ name: string; level: 'user' | 'mod' | 'admin' | 'owner'; expiresInDays?: number }, { id: string; token: string }>;
  } & Omit<Unused, 'post'>;
  '/api/guilds/{guildId}/api-tokens/{tokenId}': {
    parameters: NoParams;
    get?: never;
    post?: never;
    delete: {
      parameters: { query?: never; header?: never; path: GuildPath & { tokenId: string }; cookie?: never };
      requestBody?: never;
      responses: { 204: { headers: { [name: string]: unknown }; content?: never } } & Errors;
    };
  } & Omit<Unused, 'delete'>;
}

export interface components {
  schemas: {
    Error: { error: { code: string; message: string; details?: unknown } };
    Session: {
      accessToken: string;
      expiresAt: string;
      user: { id: string; username: string; globalName: string | null; avatarUrl: string | null };
      guilds: { id: string; name: string; iconUrl: string | null; level: 'owner' | 'admin' | 'mod' | 'user'; grants: string[] }[];
    };
    Asset: { id: number; guildId: string; code: string; name: string; emoji: string; createdAt: string };
    AccountRef: { ownerType: 'user' | 'system'; ownerId: string };
    AccountSummary: { accountId: string; account: S['AccountRef']; asset: string; balance: string; held: string; available: string; createdAt: string };
    Holder: { userId: string; accountId: string; balance: string; held: string; available: string };
    LedgerStats: {
      guildId: string;
      since: string;
      until: string;
      volume: { day: string; type: string; asset: string; entries: number; volume: string }[];
      totals: { type: string; asset: string; entries: number; volume: string }[];
      topHolders: { asset: string; holders: { userId: string; balance: string; held: string; available: string }[] }[];
    };
    EntryFilters: { account?: string; asset?: string; type?: string; status?: string; since?: string; until?: string };
    Posting: { accountId: string; account: S['AccountRef']; asset: string; amount: string; balanceAfter: string };
    LedgerEntry: {
      id: string;
      key: string;
      guildId: string;
      type: string;
      status: 'posted' | 'pending' | 'voided';
      actor: { type: 'user' | 'api_token' | 'system'; id: string };
      reason: string | null;
      refs: { [key: string]: string | number | boolean | null };
      createdAt: string;
      postedAt: string | null;
      voidedAt: string | null;
      postings: S['Posting'][];
      hold: { from: S['AccountRef']; to: S['AccountRef']; asset: string; amount: string; postedAmount: string | null } | null;
    };
    ValidationReport: {
      ok: boolean;
      guildId: string | null;
      checkedAt: string;
      assets: { guildId: string; asset: string; accounts: number; sumOfBalances: string; sumOfPostings: string; ok: boolean }[];
      negativeUserAccounts: unknown[];
      balanceMismatches: unknown[];
      duplicateKeys: { key: string; entries: number }[];
      unbalancedEntries: unknown[];
      inconsistentEntries: { entryId: string; key: string; guildId: string; problem: string }[];
      domainMismatches: unknown[];
    };
    StuckFlow: { workflowId: string; runId: string; kind: string | null; stuck: { step: string; since: string; rounds: number; failure: string } };
    Member: { userId: string; displayName: string; avatarUrl: string | null; balance: string; robloxUsername?: string | null };
    Guild: { id: string; name: string; ownerId: string; createdAt: string; updatedAt: string; settings: S['GuildSettings'] | null };
    GuildSettings: {
      guildId: string;
      adminRoleIds: string[];
      modRoleIds: string[];
      verifiedRoleId: string | null;
      unverifiedRoleId: string | null;
      adminLogChannelId: string | null;
      locale: string;
      disabledFeatures: S['FeatureSwitch'][];
      createdAt: string;
      updatedAt: string;
    };
    FeatureSwitch: 'economy' | 'shop' | 'tasks' | 'verification' | 'codeShop' | 'trades' | 'announcements';
    EconomySettings: {
      guildId: string;
      dailyAmount: string;
      dailyCooldownSeconds: number;
      dailyStreakBonus: string;
      dailyStreakMax: number;
      dailyStreakGraceSeconds: number;
      adminAdjustLimitPerMinute: number;
      currency: { name: string; emoji: string };
    };
    OrderStatus: 'pending' | 'awaiting_funds' | 'completed' | 'failed' | 'refunded' | 'needs_admin';
    CodeOrder: {
      id: string;
      guildId: string;
      userId: string;
      packageId: number;
      quantity: number;
      price: string;
      assetCode: string;
      status: S['OrderStatus'];
      failureReason: string | null;
      deliveredVia: string | null;
      topupPaymentId: string | null;
      requestKey: string;
      createdAt: string;
      updatedAt: string;
      completedAt: string | null;
    };
    TopupStatus: 'created' | 'pending' | 'settled' | 'expired' | 'denied' | 'cancelled' | 'failed';
    Payment: {
      id: string;
      guildId: string;
      userId: string;
      provider: string;
      amount: string;
      currency: string;
      credit: string;
      assetCode: string;
      status: S['TopupStatus'];
      providerStatus: string | null;
      expiresAt: string | null;
      settledAt: string | null;
      creditedAt: string | null;
      failureReason: string | null;
      createdAt: string;
    };
    ShopItem: {
      id: number;
      guildId: string;
      name: string;
      description: string;
      emoji: string | null;
      price: string;
      assetCode: string;
      stock: number | null;
      perUserLimit: number | null;
      roleId: string | null;
      roleDurationSeconds: number | null;
      requiredRoleId: string | null;
      active: boolean;
      category: string | null;
      createdAt: string;
      updatedAt: string;
      deletedAt: string | null;
    };
    SyncState: 'creating' | 'synced' | 'pending' | 'orphaned' | 'deleted';
    SyncMessage: {
      entityType: string;
      entityId: string;
      guildId: string;
      channelId: string | null;
      messageId: string | null;
      state: S['SyncState'];
      contentHash: string | null;
      creates: number;
      edits: number;
      lastError: string | null;
      syncedAt: string | null;
      createdAt: string;
      updatedAt: string;
      workflowId: string;
    };
    Announcement: {
      id: string;
      guildId: string;
      channelId: string;
      title: string;
      body: string;
      colour: number | null;
      imageUrl: string | null;
      footer: string | null;
      pingRoleId: string | null;
      pin: boolean;
      sendAt: string | null;
      status: 'draft' | 'scheduled' | 'sent' | 'cancelled' | 'deleted';
      createdBy: string;
      createdAt: string;
      updatedAt: string;
      sentAt: string | null;
      cancelledAt: string | null;
      unpinnedAt: string | null;
      unpinnedBy: string | null;
    };
    AnnouncementCreate: {
      channelId: string;
      title: string;
      body: string;
      footer?: string | null;
      colour?: string | number | null;
      imageUrl?: string | null;
      pingRoleId?: string | null;
      pin?: boolean;
      sendAt?: string | null;
    };
    ClaimStatus: 'claimed' | 'submitted' | 'completed' | 'expired' | 'abandoned' | 'cancelled' | 'revoked';
    TaskClaim: {
      id: string;
      guildId: string;
      taskId: number;
      userId: string;
      status: S['ClaimStatus'];
      deadlineAt: string;
      proofText: string | null;
      proofUrls: string[];
      submissions: number;
      submittedAt: string | null;
      reviewChannelId: string | null;
      reviewMessageId: string | null;
      decidedBy: string | null;
      decidedAt: string | null;
      rejectReason: string | null;
      awardFailure: string | null;
      rewardPaid: string | null;
      awardKey: string | null;
      roleGranted: boolean;
      completedAt: string | null;
      revokedAt: string | null;
      revokedBy: string | null;
      revokeReason: string | null;
      reversedAmount: string | null;
      reversalShortfall: string | null;
      endedAt: string | null;
      createdAt: string;
      updatedAt: string;
    };
    ActionResult: { ok: boolean; status: S['ClaimStatus']; message: string };
    ApiToken: { id: string; name: string; level: 'user' | 'mod' | 'admin' | 'owner'; createdBy: string; createdAt: string; lastUsedAt: string | null; expiresAt: string | null; revokedAt: string | null };
    AdjustmentRequest: { userId: string; amount: string; reason: string; idempotencyKey?: string };
    Adjustment: {
      replayed: boolean;
      balance: string;
      currency: { name: string; emoji: string };
      entry: { id: string; key: string; type: string; reason: string | null; actor: { type: string; id: string }; createdAt: string; postings: { account: S['AccountRef']; asset: string; amount: string; balanceAfter: string }[] };
    };
  };
}
