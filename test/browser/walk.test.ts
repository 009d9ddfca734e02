import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { killAllServers, startServer, type ServerProcess } from '../helpers/server-process.ts';
import * as steps from './walk-steps.ts';

// 15: a whole recruitment through the pages only, in Chromium, each person in a browser context
// of their own (the organisations on a phone), against the server as `npm start` runs it.

let server: ServerProcess;
let storageDir: string;
let browser: Browser;
let walk: steps.Walk;

beforeAll(async () => {
  storageDir = mkdtempSync(path.join(tmpdir(), 'portal-walk-'));
  [server, browser] = await Promise.all([
    startServer({ STORAGE_DIR: storageDir, PORTAL_TEST_CLOCK: '1', MIN_TENDER_DAYS: '20' }),
    chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }),
  ]);
  walk = new steps.Walk(browser, server.url, storageDir, { users: {}, organizations: {} });
});

afterAll(async () => {
  await walk?.close();
  await browser?.close();
  await server?.stop();
  killAllServers();
  rmSync(storageDir, { recursive: true, force: true });
});

describe('15: a whole recruitment through the pages only', () => {
  it('the administrator creates the agent, the inspector and five experts; the key holders set their passphrases', async () => {
    await steps.createAccounts(walk);
    await steps.setOpeningKeys(walk);
  });
  it('three organisations register and verify their e-mail through the mailed link', () => steps.registerOrganizations(walk));
  it('the agent drafts and publishes the recruitment', () => steps.publish(walk));
  it('an organisation follows it and asks; the agent answers and the answer is public', () => steps.followAskAnswer(walk));
  it('each organisation bids with a real PDF, sees the upload progress and reads its receipt', () => steps.submitBids(walk));
  it('the opening: start, attendance, an objection answered, two key holders, the signed record; each receipt digest recomputed alike', () =>
    steps.openBids(walk));
  it('the evaluation: draw, declarations, qualification, scores with running totals, confirmations, sign-off', () => steps.evaluate(walk));
  it('publicity: the organisation not selected sees its score and rank, challenges, is answered; sign-off and award', () =>
    steps.publicityAndAward(walk));
  it('the award notice downloaded, its QR code followed, the file compared on /verify', () => steps.noticesAndVerification(walk));
});
