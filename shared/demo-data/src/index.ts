import crypto from 'node:crypto';

/** A stable UUID for a demo object, so every subgraph's seed agrees on ids and reseeding is idempotent. */
export function demoId(key: string): string {
  const hex = crypto.createHash('sha256').update(`demo:${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const DEMO_PASSWORD = 'demo-password';

export interface DemoAccount {
  key: string;
  id: string;
  name: string;
  parentKey: string | null;
}

const account = (key: string, name: string, parentKey: string | null): DemoAccount => ({ key, id: demoId(`account:${key}`), name, parentKey });

const STORES: [string, string, string][] = [
  ['store-n1', 'Store N1', 'north'],
  ['store-n2', 'Store N2', 'north'],
  ['store-s1', 'Store S1', 'south'],
  ['store-s2', 'Store S2', 'south'],
];
const DEPARTMENTS: [string, string][] = [
  ['marketing', 'Marketing'],
  ['sales-support', 'Sales Support'],
  ['rostering', 'Rostering'],
];

/** The seed's retail chain and a second tenant, parents before children. */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  account('hq', 'Retail Chain HQ', null),
  account('north', 'North Region', 'hq'),
  account('south', 'South Region', 'hq'),
  ...STORES.map(([key, name, parent]) => account(key, name, parent)),
  ...STORES.flatMap(([storeKey]) => DEPARTMENTS.map(([dept, name]) => account(`${storeKey}-${dept}`, name, storeKey))),
  account('acme', 'Acme Accounting', null),
  account('acme-payroll', 'Acme Payroll', 'acme'),
];

export const demoAccount = (key: string): DemoAccount => {
  const found = DEMO_ACCOUNTS.find((a) => a.key === key);
  if (!found) throw new Error(`No demo account ${key}`);
  return found;
};

export type DemoRole = 'ADMIN' | 'ADVANCED_USER' | 'BASIC_USER';

export interface DemoUser {
  key: string;
  id: string;
  email: string;
  name: string;
  memberships: { accountKey: string; role: DemoRole }[];
}

const user = (key: string, email: string, name: string, memberships: DemoUser['memberships']): DemoUser => ({
  key,
  id: demoId(`user:${key}`),
  email,
  name,
  memberships,
});

export const DEMO_USERS: DemoUser[] = [
  user('hq-admin', 'hq.admin@retail.example', 'Hanna Quist', [{ accountKey: 'hq', role: 'ADMIN' }]),
  user('north-admin', 'north.admin@retail.example', 'Noel Orta', [{ accountKey: 'north', role: 'ADMIN' }]),
  user('n1-advanced', 'n1.advanced@retail.example', 'Nadia One', [{ accountKey: 'store-n1', role: 'ADVANCED_USER' }]),
  user('n1-marketing', 'n1.marketing@retail.example', 'Mark Eting', [{ accountKey: 'store-n1-marketing', role: 'BASIC_USER' }]),
  user('accountant', 'accountant@acme.example', 'Ada Count', [
    { accountKey: 'acme', role: 'ADMIN' },
    { accountKey: 'store-s1', role: 'ADVANCED_USER' },
  ]),
];

export const demoUser = (key: string): DemoUser => {
  const found = DEMO_USERS.find((u) => u.key === key);
  if (!found) throw new Error(`No demo user ${key}`);
  return found;
};

/** The demo install's platform operator (SPEC O1): signs in with operatorLogin and DEMO_PASSWORD. */
export const DEMO_OPERATOR = { id: demoId('operator:admin'), email: 'operator@platform.example', name: 'Petra Latform', role: 'OPERATOR_ADMIN' } as const;

/** Demo messages per account: [account key, sending user key, count]. */
export const DEMO_MESSAGES: [string, string, number][] = [
  ['store-n1', 'n1-advanced', 3],
  ['store-n1-marketing', 'n1-marketing', 2],
  ['store-n1-marketing', 'hq-admin', 1],
  ['store-s1', 'accountant', 2],
  ['acme', 'accountant', 4],
];

/** Prepaid balances (credit units) of the accounts that pay. */
export const DEMO_BALANCES: [string, number][] = [
  ['hq', 100_000],
  ['acme', 5_000],
];
