/**
 * The admin HTML page in a real browser (headless Chromium through playwright-core): listener
 * certificates, activity rows newest first with failures marked, and the filter selector.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpBackend, type Backend } from '../helpers/backend.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { curl, sClient } from '../helpers/peers.js';

let gw: Gateway;
let backend: Backend;
let browser: Browser;

beforeAll(async () => {
  // /fail answers 500: an "unprocessed" row; everything else 200: "processed".
  backend = await startHttpBackend((r, res) => {
    res.writeHead(r.url.startsWith('/fail') ? 500 : 200);
    res.end('x');
  });
  gw = await startGateway({ routes: [{ path: '/', upstream: backend.url }], admin: { listen: '127.0.0.1:0' } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  // Traffic: a processed request, an unprocessed one, and a failed handshake (TLS 1.3 only).
  expect((await curl(['--cacert', gw.caFile, '-X', 'POST', '--data', 'a', gw.url('/ok')])).status).toBe(200);
  expect((await curl(['--cacert', gw.caFile, '-X', 'POST', '--data', 'b', gw.url('/fail')])).status).toBe(500);
  expect((await sClient(gw.port, ['-tls1_3'])).handshakeOk).toBe(false);
  await gw.logs.waitFor((l) => l.event === 'handshake_failed');
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await backend?.close();
});

describe('admin HTML page', () => {
  it('shows listeners with certificate subject, chain length and days to expiry', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const res = await page.goto(gw.app.admin()!.url + '/');
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    const row = page.locator(`#listeners tr[data-port="${gw.port}"]`);
    expect(await row.locator('.subject').textContent()).toBe('localhost');
    expect(await row.locator('.chain').textContent()).toBe('2');
    expect(Number(await row.locator('.days').textContent())).toBeGreaterThanOrEqual(88);
    // Self-contained: the page loads nothing but itself.
    expect(requests.filter((u) => !u.endsWith('/favicon.ico'))).toEqual([gw.app.admin()!.url + '/']);
    await page.close();
  });

  it('lists activity newest first, failed rows marked, and filters with the selector', async () => {
    const page = await browser.newPage();
    await page.goto(gw.app.admin()!.url + '/');
    const outcomes = await page.locator('#activity tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')));
    expect(outcomes).toEqual(['handshake_failure', 'unprocessed', 'processed']);
    const failed = page.locator('#activity tbody tr.failed');
    expect(await failed.count()).toBe(1);
    expect(await failed.textContent()).toContain('no_shared_protocol');
    expect(await failed.textContent()).toMatch(/only TLS 1\.3/);
    const bg = await failed.locator('td').first().evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)'); // the inline CSS marks failed rows
    expect(await page.locator('#activity tbody tr.unprocessed .status').textContent()).toBe('500');

    await page.selectOption('#filter', 'failed');
    await Promise.all([page.waitForURL(/filter=failed/), page.click('button[type=submit]')]);
    expect(await page.locator('#activity tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')))).toEqual(['handshake_failure']);
    expect(await page.locator('#filter').inputValue()).toBe('failed');

    await page.selectOption('#filter', 'processed');
    await Promise.all([page.waitForURL(/filter=processed/), page.click('button[type=submit]')]);
    expect(await page.locator('#activity tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')))).toEqual(['processed']);
    await page.close();
  });
});
