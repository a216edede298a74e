import { Account } from './account';
import { ActivityLogEntry, ApiKey, Invitation, JSONScalar, PartnerApp, PartnerManifest, SsoConfiguration } from './access-objects';
import { Membership } from './membership';
import { Mutation } from './mutation';
import { Query } from './query';
import { User } from './user';
import { AuthPayload, Viewer } from './viewer';

export const resolvers = {
  Query,
  Mutation,
  Account,
  AuthPayload,
  Membership,
  User,
  Viewer,
  Invitation,
  ApiKey,
  PartnerApp,
  PartnerManifest,
  SsoConfiguration,
  ActivityLogEntry,
  JSON: JSONScalar,
};
