/**
 * The browser suites' kit: the built portal served against a real stack (startTestStack on a throwaway
 * database, the portal's origin in CORS_ORIGINS) and a headless Chromium driven by playwright-core.
 * The browser is Debian's `chromium` package: installed here with apt-get when it is missing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { ensurePortalBuilt, startPortalServer, type RunningPortal } from '../../server/static-server';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** beforeAll of a browser suite: a fresh machine installs Chromium (apt-get) and builds the portal first. */
export const INSTALL_AND_START_MS = 900_000;
/** Screenshots and figures of the runs (git-ignored). */
export const ARTIFACTS_DIR = path.join(__dirname, '..', '..', 'test-results');

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Installs Debian's chromium when it is missing (as root; suites running in parallel take turns on a
 * lock), or fails saying what to do.
 */
export async function ensureChromium(): Promise<string> {
  if (fs.existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const fail = (why: string): never => {
    throw new Error(`The browser suites need Chromium at ${CHROMIUM_PATH} and ${why}. Install it with: apt-get update && apt-get install -y chromium`);
  };
  if (process.getuid?.() !== 0) fail('this user cannot install it (not root)');
  const install = `test -x ${CHROMIUM_PATH} || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }`;
  try {
    await promisify(execFile)('flock', [path.join(os.tmpdir(), 'portal-chromium-install.lock'), 'sh', '-c', install], { timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    fail(`apt-get could not install it (${(error as Error).message.split('\n')[0]})`);
  }
  if (!fs.existsSync(CHROMIUM_PATH)) fail('apt-get installed no binary there');
  return CHROMIUM_PATH;
}

export interface PortalStack {
  stack: TestStack;
  portal: RunningPortal;
  browser: Browser;
  /** A fresh browser context (its own storage) with one page at the given size. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startPortalStack(options: { env?: Record<string, string> } = {}): Promise<PortalStack> {
  const executablePath = await ensureChromium();
  await ensurePortalBuilt();
  let gatewayUrl = '';
  const portal = await startPortalServer({ gatewayUrl: () => gatewayUrl });
  let stack: TestStack | undefined;
  try {
    stack = await startTestStack({ env: { ...options.env, CORS_ORIGINS: portal.url } });
    gatewayUrl = stack.gatewayUrl;
    const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
    const running = stack;
    return {
      stack: running,
      portal,
      browser,
      newPage: async (viewport = { width: 1280, height: 800 }) => {
        const context = await browser.newContext({ viewport, baseURL: portal.url });
        return context.newPage();
      },
      close: async () => {
        await browser.close();
        await running.close();
        await portal.close();
      },
    };
  } catch (error) {
    await stack?.close();
    await portal.close();
    throw error;
  }
}

/** Saves the page as a test artifact (portal/test-results, not committed). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Whether the page is wider than its viewport (a layout that breaks shows a horizontal scrollbar). */
export const overflowsHorizontally = (page: Page): Promise<boolean> => page.evaluate('document.documentElement.scrollWidth > window.innerWidth') as Promise<boolean>;

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
