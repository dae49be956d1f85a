export {
  type Account,
  type AccountChanges,
  type AccountStatus,
  closeAccount,
  createAccount,
  getAccount,
  listAccounts,
  type NewAccount,
  updateAccount,
} from './accounts/accounts.ts';
export { AccountClosedError, AccountCodeTakenError, AccountNotFoundError } from './errors.ts';
