import { Account } from './account';
import { Contact, ContactGroup } from './contact';
import { Conversation } from './conversation';
import { Message } from './message';
import { Mutation } from './mutation';
import { Query } from './query';
import { SenderId } from './sender-id';

export const resolvers = { Account, Contact, ContactGroup, Conversation, Message, Mutation, Query, SenderId };
