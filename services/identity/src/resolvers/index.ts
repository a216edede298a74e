import { Account } from './account';
import { Membership } from './membership';
import { Mutation } from './mutation';
import { Query } from './query';
import { User } from './user';
import { AuthPayload, Viewer } from './viewer';

export const resolvers = { Query, Mutation, Account, AuthPayload, Membership, User, Viewer };
