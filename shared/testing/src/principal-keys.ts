import { generatePrincipalKeyPair } from '@platform/config';

/** Fresh principal token keys as production expects them in its environment (SPEC G2). */
export function principalKeyEnvironment(): Record<string, string> {
  const gateway = generatePrincipalKeyPair();
  const messaging = generatePrincipalKeyPair();
  return {
    GATEWAY_PRINCIPAL_PRIVATE_KEY: JSON.stringify(gateway.privateJwk),
    GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify({ keys: [gateway.publicJwk] }),
    MESSAGING_SERVICE_PRIVATE_KEY: JSON.stringify(messaging.privateJwk),
    MESSAGING_SERVICE_PUBLIC_KEYS: JSON.stringify({ keys: [messaging.publicJwk] }),
  };
}
