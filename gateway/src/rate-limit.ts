// The counters moved to @platform/server (the identity subgraph throttles failed logins with them).
export { MemoryRateLimiter, RedisRateLimiter, type RateLimitDecision, type RateLimiter } from '@platform/server';
