import { closeAccount, createAccount, getAccount, listAccounts, updateAccount } from '@atrium/trading';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditContextOf, tenantOf } from '../../plugins/app/auth.ts';
import { AccountListQuery, AccountSchema, CreateAccountBody, UpdateAccountBody } from '../../schemas/account.ts';
import { IdempotencyHeaders, IdParams, Page } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';

const accounts: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'List accounts',
        operationId: 'listAccounts',
        querystring: AccountListQuery,
        response: { 200: Page(AccountSchema), ...problemResponses },
      },
    },
    async (request) => app.db.withTenant(tenantOf(request), (tx) => listAccounts(tx, request.query)),
  );

  app.post(
    '/accounts',
    {
      config: { idempotent: {} },
      schema: {
        tags: ['accounts'],
        summary: 'Open an account',
        operationId: 'createAccount',
        headers: IdempotencyHeaders,
        body: CreateAccountBody,
        response: { 201: AccountSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const account = await app.db.withTenant(tenantOf(request), (tx) => createAccount(tx, request.body, auditContextOf(request)));
      return reply.code(201).header('location', `/v1/accounts/${account.id}`).send(account);
    },
  );

  app.get(
    '/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Read an account',
        operationId: 'getAccount',
        params: IdParams,
        response: { 200: AccountSchema, ...problemResponses },
      },
    },
    async (request) => getAccount(app.db, tenantOf(request), request.params.id),
  );

  app.patch(
    '/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Rename an account',
        operationId: 'updateAccount',
        params: IdParams,
        body: UpdateAccountBody,
        response: { 200: AccountSchema, ...problemResponses },
      },
    },
    async (request) =>
      app.db.withTenant(tenantOf(request), (tx) => updateAccount(tx, request.params.id, request.body, auditContextOf(request))),
  );

  app.delete(
    '/accounts/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Close an account (it is kept, with its history)',
        operationId: 'closeAccount',
        params: IdParams,
        response: { 200: AccountSchema, ...problemResponses },
      },
    },
    async (request) => app.db.withTenant(tenantOf(request), (tx) => closeAccount(tx, request.params.id, auditContextOf(request))),
  );
};

export default accounts;
