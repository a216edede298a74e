import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPortalServer, type RunningPortal } from '../../server/static-server';

describe("the portal's static server (npm start)", () => {
  let dist: string;
  let portal: RunningPortal;
  const outsideFile = `outside-the-portal-${process.pid}.txt`;

  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
    fs.writeFileSync(path.join(os.tmpdir(), outsideFile), 'secret');
    portal = await startPortalServer({ gatewayUrl: 'http://localhost:4000/graphql', distDir: dist });
  });
  afterAll(async () => {
    await portal.close();
    fs.rmSync(dist, { recursive: true });
    fs.rmSync(path.join(os.tmpdir(), outsideFile));
  });

  it("answers the gateway's URL, the app for page paths, immutable assets, and 404 for missing files and paths outside dist", async () => {
    // Act
    const config = await fetch(`${portal.url}/portal-config.json`);
    const page = await fetch(`${portal.url}/accounts/1234?x=1`);
    const asset = await fetch(`${portal.url}/assets/app-1234.js`);
    const missing = await fetch(`${portal.url}/assets/gone.js`);
    // dist is a folder of the temporary directory, so this names an existing file beside it.
    const outside = await fetch(`${portal.url}/..%2F${outsideFile}`);
    const post = await fetch(`${portal.url}/`, { method: 'POST' });

    // Assert
    await expect(config.json()).resolves.toEqual({ gatewayUrl: 'http://localhost:4000/graphql' });
    expect(page.status).toBe(200);
    await expect(page.text()).resolves.toContain('<div id="root">');
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self' http://localhost:4000");
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    expect(missing.status).toBe(404);
    expect(outside.status).toBe(404);
    expect(post.status).toBe(405);
  });
});
