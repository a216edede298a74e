import { createDataSource, type DataSourceOverrides } from '@platform/db';
import type { DataSource } from 'typeorm';

/**
 * The gateway's pool: identity's tables read with SQL (sessions, API keys, partner operations); no
 * entities nor migrations, so the gateway process loads none of the identity subgraph's modules.
 */
export function createGatewayDataSource(url: string, options: Omit<DataSourceOverrides, 'applicationName'> = {}): DataSource {
  return createDataSource({ url, schema: 'identity', applicationName: 'gateway', ...options });
}
