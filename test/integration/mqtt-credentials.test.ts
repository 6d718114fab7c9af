/**
 * `mqtt://user:pass@host` (issue 11 item 10): the check logs in to the user's broker with the URL's
 * credentials — a real mosquitto with a password_file made by mosquitto_passwd. Right credentials
 * connect; wrong ones are diagnosed as the broker refusing the credentials (CONNACK 4/5), not as a
 * generic failure; the password never appears in the output, the JSON or the log.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hardReset } from '../../main/esp/reset.js';
import { runMqttCheck } from '../../main/mqtt/check.js';
import { VirtualBoard } from '../../main/sim/board.js';
import { virtualBoardNetwork } from '../../main/sim/broker-route.js';
import { buildDemoImage } from '../../main/sim/demo-image.js';
import { createNetwork } from '../../main/sim/network.js';
import { useTempHome } from '../support/home.js';
import { freePort, mosquitto, startMosquitto } from '../support/mosquitto.js';
import { runCli } from '../support/run-cli.js';
import { systemTool } from '../support/system-tools.js';
import { wireLink } from '../support/wire-link.js';

const passwd = systemTool('mosquitto_passwd');
const USER = 'flashback-user';
// Distinctive, so a leak anywhere in the output is found by a plain search.
const PASSWORD = 'Pw-9f3kq7zX';
const WRONG = 'Wr-4hq2mmT8';

const home = useTempHome('flashback-mqtt-cred-');
let dir = '';
let port = 0;
let stop = () => undefined as void;

describe.skipIf(mosquitto.missing || passwd.missing)(
  `the broker URL's credentials (${mosquitto.reason || passwd.reason || 'mosquitto with a password_file'})`,
  () => {
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-mosq-pw-'));
      const file = path.join(dir, 'passwd');
      const made = spawnSync(passwd.path, ['-b', '-c', file, USER, PASSWORD], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      fs.chmodSync(file, 0o644); // mosquitto runs as root here (test config), reads it either way
      port = await freePort();
      const m = await startMosquitto(
        `listener ${port} 127.0.0.1\nallow_anonymous false\npassword_file ${file}\nlog_dest stderr`,
        port,
      );
      stop = m.stop;
    });
    afterAll(() => {
      stop();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    });

    function board() {
      const network = createNetwork();
      const b = new VirtualBoard({ flashSize: 1 << 20, flash: buildDemoImage('good', 1 << 20), network });
      return {
        b,
        network: virtualBoardNetwork(network),
        access: {
          openLink: async (spec: string, o: { baud: number }) => wireLink(spec, b.wire(), o.baud),
          reset: hardReset,
        },
      };
    }

    it('right credentials in the URL: the host probe logs in (CONNACK 0) and round-trips a message', async () => {
      const { b, network, access } = board();
      const logs: string[] = [];
      try {
        const r = await runMqttCheck(
          {
            port: 'virtual:cred',
            broker: `mqtt://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`,
            durationMs: 3000,
            board: access,
            network,
          },
          { log: (l) => logs.push(l) },
        );
        expect(r.hostProbe.connack).toBe(0);
        expect(r.hostProbe.ok).toBe(true);
        expect(r.diagnosis.some((d) => d.code === 'broker-auth')).toBe(false);
        expect(JSON.stringify(r) + logs.join('\n')).not.toContain(PASSWORD);
      } finally {
        b.close();
      }
    });

    it('no credentials: the same broker refuses (so the test above proves they were used)', async () => {
      const { b, network, access } = board();
      try {
        const r = await runMqttCheck({
          port: 'virtual:cred',
          broker: `mqtt://127.0.0.1:${port}`,
          durationMs: 3000,
          board: access,
          network,
        });
        expect([4, 5]).toContain(r.hostProbe.connack);
      } finally {
        b.close();
      }
    });

    it('wrong password, through the CLI: the diagnosis says the broker refused the credentials; the password is never printed', () => {
      const url = `mqtt://${USER}:${WRONG}@127.0.0.1:${port}`;
      for (const json of [false, true]) {
        const r = runCli(
          home,
          'mqtt-check',
          '--port',
          'virtual:good',
          '--broker',
          url,
          '--duration',
          '3',
          '--before',
          'no-reset',
          ...(json ? ['--json'] : []),
        );
        const all = r.stdout + r.stderr;
        expect(all).not.toContain(WRONG);
        expect(all).not.toContain(encodeURIComponent(WRONG));
        if (json) {
          const hp = r.json!.hostProbe as { connack: number | null; ok: boolean };
          expect([4, 5]).toContain(hp.connack);
          const diagnosis = r.json!.diagnosis as Array<{ code: string; cause: string }>;
          // The board (no credentials of its own here) is refused too; the check's own refusal is named.
          const mine = diagnosis.find((d) => /user name and password given for the check/.test(d.cause));
          expect(mine?.code).toBe('broker-auth');
          expect(mine?.cause).toContain(`user "${USER}"`);
        } else {
          expect(r.stdout).toMatch(/CONNACK [45]/);
          expect(r.stdout).toMatch(
            /^\d\. The broker refused the user name and password given for the check/m,
          );
          expect(r.stdout).toContain(`mqtt://127.0.0.1:${port}`); // the URL shown without its credentials
        }
        expect(r.code).not.toBe(0);
      }
    });

    it('a malformed URL with a password in it: the error does not echo the password', () => {
      const r = runCli(
        home,
        'mqtt-check',
        '--port',
        'virtual:good',
        '--broker',
        `mqtt://${USER}:${WRONG}@bad host:1`,
      );
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).not.toContain(WRONG);
    });
  },
);
