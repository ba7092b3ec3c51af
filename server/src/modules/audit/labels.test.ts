import fs from 'node:fs';
import path from 'node:path';
import { ALARM_ACTIONS, HAZARD_COMMANDS, SUBMISSION_ACTIONS } from '@safe-campus/domain';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Audit actions built from a variable, by prefix: what the variable can be. A new prefix must be listed here. */
const DYNAMIC: Record<string, readonly string[]> = {
  'hazard.': HAZARD_COMMANDS,
  'alarm.': ALARM_ACTIONS,
  'duty.swap_': ['approve', 'reject', 'cancel'],
  'form.': SUBMISSION_ACTIONS.filter((action) => action !== 'save' && action !== 'submit'),
};

/** Every action string the server writes to the audit log: literals on `action:` lines and expanded templates. */
function writtenActions(): Set<string> {
  const actions = new Set<string>();
  for (const file of sources(path.join(root, 'server/src'))) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!/\baction: /.test(line)) continue;
      for (const match of line.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) actions.add(match[1]!);
      for (const match of line.matchAll(/`([a-z_]+\.[a-z_]*)\$\{/g)) {
        const prefix = match[1]!;
        const expansions = DYNAMIC[prefix];
        if (!expansions) throw new Error(`${path.relative(root, file)}: list what \`${prefix}\${…}\` can be`);
        for (const rest of expansions) actions.add(`${prefix}${rest}`);
      }
    }
  }
  return actions;
}

function bundle(language: string): { auditActions: Record<string, string>; auditCategories: Record<string, string> } {
  return JSON.parse(fs.readFileSync(path.join(root, `web/src/i18n/${language}.json`), 'utf8'));
}

describe('audit action labels', () => {
  const actions = writtenActions();

  it('finds the actions of every module, including those written in SQL or from a variable', () => {
    for (const action of [
      'auth.login',
      'auth.lockout',
      'hazard.create',
      'hazard.verify',
      'form.sign',
      'notice.create',
    ]) {
      expect(actions).toContain(action);
    }
  });

  it.each(['zh-CN', 'en'])('%s labels every action the server writes, and its category', (language) => {
    const { auditActions, auditCategories } = bundle(language);
    expect([...actions].filter((action) => !auditActions[action]).sort()).toEqual([]);
    const categories = new Set([...actions].map((action) => action.split('.')[0]!));
    expect([...categories].filter((category) => !auditCategories[category]).sort()).toEqual([]);
  });
});
