/**
 * The browser suites' kit: the built portal served against a real stack (startTestStack on a throwaway
 * database, the portal's origin in CORS_ORIGINS) and a headless Chromium driven by playwright-core.
 * The browser is Debian's `chromium` package: installed here with apt-get when it is missing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { ensurePortalBuilt, startPortalServer, type RunningPortal } from '../../server/static-server';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Screenshots and figures of the runs (git-ignored). */
export const ARTIFACTS_DIR = path.join(__dirname, '..', '..', 'test-results');

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Installs Debian's chromium when it is missing (as root), or fails saying what to do. */
export function ensureChromium(): string {
  if (fs.existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const fail = (why: string) => {
    throw new Error(`The browser suites need Chromium at ${CHROMIUM_PATH} and ${why}. Install it with: apt-get update && apt-get install -y chromium`);
  };
  if (process.getuid?.() !== 0) fail('this user cannot install it (not root)');
  try {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
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

export async function startPortalStack(): Promise<PortalStack> {
  const executablePath = ensureChromium();
  await ensurePortalBuilt();
  let gatewayUrl = '';
  const portal = await startPortalServer({ gatewayUrl: () => gatewayUrl });
  let stack: TestStack | undefined;
  try {
    stack = await startTestStack({ env: { CORS_ORIGINS: portal.url } });
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

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
