import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToTotals,
  BUILTIN_FORM_TEMPLATES,
  checkTemplate,
  correctionsOf,
  emptyTotals,
  exampleSeed003Answers,
  type FormAnswers,
  type FormContent,
  fieldsOf,
  formContent,
  formTransition,
  isCorrection,
  isEditable,
  isLate,
  mergePrefill,
  NOT_APPLICABLE,
  PREFILL_TYPES,
  prefilledAnswers,
  rectifiedFlag,
  SEED003_SCHOOL_FORM,
  SEED003_SUMMARY,
  SUBMISSION_ACTIONS,
  SUBMISSION_STATES,
  type SubmissionState,
  summarize,
  summaryNumberColumns,
  summaryRow,
  summaryTotals,
  validateAnswers,
} from './forms.js';
import { PREFILL_SOURCES } from './forms-prefill.js';

const validSeedAnswers = exampleSeed003Answers;

describe('seed 003 built-in form', () => {
  it('is a valid template with every field of Attachment 1 and co-sign by 校长/所长', () => {
    const parsed = formContent.parse(SEED003_SCHOOL_FORM);
    expect(checkTemplate(parsed)).toEqual([]);
    const labels = fieldsOf(parsed).map((field) => field.label);
    for (const label of [
      '是否成立工作专班',
      '专班负责人',
      '学校假期是否有值班表',
      '领导是否带班',
      '门卫、巡查、隐患排查制度是否健全',
      '保安员人数',
      '保安员持证上岗人数',
      '超龄保安员人数',
      '视频监控保存天数是否达30天',
      '视频探头数量',
      '围墙周界有无防入侵报警系统',
      '重点要害部位有无防入侵报警',
      '技防系统是否全部正常运行',
      '隔离栏有无',
      '硬质防冲撞设施有无',
      '升降柱有无',
      '是否开展电气火灾安全综合治理',
      '电器火灾隐患整改情况',
      '危险化学品安全管理三防措施是否落实',
      '校园周边治安乱点情况',
      '涉校不稳定因素情况',
      '假期学生安全教育情况',
      '假期师生团体活动',
      '排查出的总隐患数',
      '隐患整改数',
      '未整改隐患数',
      '排查整改工作情况报告',
      '填表日期',
    ]) {
      expect(labels).toContain(label);
    }
    expect(labels.some((label) => label.includes('学生宿舍（无宿舍填“/”）'))).toBe(true);
    expect(labels.some((label) => label.includes('校车等安全隐患情况'))).toBe(true);
    const activities = fieldsOf(parsed).find((field) => field.key === 'groupActivities');
    expect(activities?.columns?.map((column) => column.label)).toEqual([
      '次数',
      '总人数',
      '安全是否由校级领导直接负责',
    ]);
    expect(parsed.cosign).toBe(true);
    expect([parsed.principalLabel, parsed.cosignerLabel]).toEqual(['校长', '所长']);
    // every prefill source of the shared contract is used exactly once
    const sources = fieldsOf(parsed).flatMap((field) => (field.prefill ? [field.prefill] : []));
    expect(new Set(sources)).toEqual(new Set(PREFILL_SOURCES));
    // people-related free text asks for situations and measures, not names
    for (const key of ['surroundingsHotspots', 'instabilityFactors']) {
      expect(fieldsOf(parsed).find((field) => field.key === key)?.help).toContain('不填写具体人员的姓名');
    }
    expect(BUILTIN_FORM_TEMPLATES.map((template) => template.code)).toContain('seed003-school');
  });

  it('has the Attachment 2 columns', () => {
    expect(SEED003_SUMMARY.columns.map((column) => column.label)).toEqual([
      '区域',
      '属地派出所',
      '学校名称',
      '校园周边治安乱点情况',
      '是否整改',
      '校园隐患总数',
      '整改数',
      '涉校不稳定因素情况（未解决）',
    ]);
  });

  it('accepts a complete answer set and reports each rule violation in Chinese', () => {
    expect(validateAnswers(SEED003_SCHOOL_FORM, validSeedAnswers())).toEqual([]);
    const errors = validateAnswers(
      SEED003_SCHOOL_FORM,
      validSeedAnswers({ guardsLicensed: 7, guardsOverAge: 9, hazardsRectified: 11, hazardsUnrectified: 0 }),
    );
    expect(errors.map((error) => error.field).sort()).toEqual([
      'guardsLicensed',
      'guardsOverAge',
      'hazardsRectified',
      'hazardsUnrectified',
    ]);
    expect(errors.find((error) => error.field === 'guardsLicensed')?.message).toBe(
      '保安员持证上岗人数不能大于保安员人数',
    );
  });

  it('refuses 「/」 where the seed does not allow it, missing required fields, wrong types', () => {
    const errors = validateAnswers(
      SEED003_SCHOOL_FORM,
      validSeedAnswers({ oneKeyAlarmGate: NOT_APPLICABLE, guards: 'six', policeStation: '', fillDate: '7月31日' }),
    );
    expect(Object.fromEntries(errors.map((error) => [error.field, error.code]))).toEqual({
      oneKeyAlarmGate: 'not_applicable',
      guards: 'type',
      policeStation: 'required',
      fillDate: 'type',
    });
    expect(errors.find((error) => error.field === 'policeStation')?.message).toBe('请填写「属地派出所」');
  });

  it('checks table cells and unknown keys; drafts skip required fields and rules', () => {
    const answers = validSeedAnswers({
      groupActivities: [{ times: -1, participants: 3.5 }],
      unknownThing: 1,
      hazardsUnrectified: 5,
    });
    const errors = validateAnswers(SEED003_SCHOOL_FORM, answers);
    expect(errors.map((error) => `${error.field}:${error.code}`).sort()).toEqual([
      'groupActivities[0].leaderResponsible:required',
      'groupActivities[0].participants:not_integer',
      'groupActivities[0].times:below_min',
      'hazardsUnrectified:rule',
      'unknownThing:unknown_field',
    ]);
    const draft = validateAnswers(SEED003_SCHOOL_FORM, { guards: 3, guardsLicensed: 9 }, { complete: false });
    expect(draft).toEqual([]);
  });
});

describe('template checks', () => {
  const base = (): FormContent =>
    formContent.parse({
      title: '测试表',
      sections: [
        {
          title: '一',
          fields: [
            { key: 'a', label: '甲', type: 'number' },
            { key: 'b', label: '乙', type: 'text' },
          ],
        },
      ],
    });

  it('finds duplicate keys, missing options, rules on unknown or non-number fields, mistyped prefill', () => {
    const content = base();
    content.sections.push({
      title: '二',
      fields: [
        { key: 'a', label: '重复', type: 'yesno' },
        { key: 's', label: '选择', type: 'select', options: ['一'] },
        { key: 't', label: '表', type: 'table', columns: [] },
        { key: 'p', label: '探头', type: 'yesno', prefill: 'cameras.count' },
      ],
    });
    content.rules = [
      { kind: 'lte', left: 'a', right: 'zz' },
      { kind: 'difference', target: 'b', minuend: 'a', subtrahend: 'a' },
    ];
    const codes = checkTemplate(content).map((problem) => problem.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'duplicate_key',
        'options_required',
        'columns_required',
        'prefill_type',
        'rule_unknown_field',
        'rule_not_number',
      ]),
    );
    expect(checkTemplate(base())).toEqual([]);
  });

  it('prefill types cover every source of the contract', () => {
    expect(Object.keys(PREFILL_TYPES).sort()).toEqual([...PREFILL_SOURCES].sort());
  });
});

describe('prefill', () => {
  it('turns live values into answers, keeps the school’s answers and lists corrections', () => {
    const prefilled = prefilledAnswers(SEED003_SCHOOL_FORM, {
      'guards.total': { value: 6, basis: '保安员台账 6 人' },
      'oneKeyAlarm.dormitory': { value: 'n/a', basis: '学校无学生宿舍' },
      'cameras.count': { value: null, basis: '无设备台账' },
      'tech.allRunning': { value: false, basis: '2 台离线' },
    });
    expect(prefilled).toEqual({ guards: 6, oneKeyAlarmDormitory: NOT_APPLICABLE, techAllRunning: false });
    const merged = mergePrefill({ guards: 7 }, prefilled);
    expect(merged).toEqual({ guards: 7, oneKeyAlarmDormitory: NOT_APPLICABLE, techAllRunning: false });
    expect(correctionsOf(prefilled, merged)).toEqual(['guards']);
  });

  it('a correction is a given answer that differs from a known prefilled value', () => {
    expect(isCorrection(7, 6)).toBe(true);
    expect(isCorrection(false, true)).toBe(true);
    expect(isCorrection(NOT_APPLICABLE, true)).toBe(true);
    expect(isCorrection(6, 6)).toBe(false);
    expect(isCorrection(true, true)).toBe(false);
    // A blank answer is not a correction: the school has not said anything yet.
    expect(isCorrection(undefined, 6)).toBe(false);
    expect(isCorrection(null, 6)).toBe(false);
    expect(isCorrection('', true)).toBe(false);
    // Nothing known to correct: no prefill, or a source that knew nothing.
    expect(isCorrection(7, undefined)).toBe(false);
    expect(isCorrection(7, null)).toBe(false);
    // 0 and false are answers, not blanks.
    expect(isCorrection(0, 6)).toBe(true);
    expect(isCorrection(false, false)).toBe(false);
  });

  it('corrections count blanks as no correction, field by field as isCorrection does', () => {
    const prefilled: FormAnswers = { guards: 6, cameraCount: 48, techAllRunning: false, fence: true };
    const answers: FormAnswers = { guards: null, cameraCount: 50, techAllRunning: '', fence: true };
    expect(correctionsOf(prefilled, answers)).toEqual(['cameraCount']);
    const values = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(''), fc.boolean(), fc.nat(10));
    fc.assert(
      fc.property(values, values, (value, prefill) => {
        const answers: FormAnswers = value === undefined ? {} : { guards: value };
        const prefilledMap: FormAnswers = prefill === undefined ? {} : { guards: prefill };
        expect(correctionsOf(prefilledMap, answers)).toEqual(isCorrection(value, prefill) ? ['guards'] : []);
      }),
    );
  });
});

describe('submission state machine', () => {
  const state = fc.constantFrom(...SUBMISSION_STATES);
  const action = fc.constantFrom(...SUBMISSION_ACTIONS);

  it('walks the co-signed path and the returned loop', () => {
    const options = { cosign: true };
    let current: SubmissionState = 'draft';
    for (const step of ['submit', 'sign', 'cosign', 'return', 'save', 'submit', 'sign', 'cosign', 'accept'] as const) {
      const result = formTransition(current, step, options);
      expect(result.ok, `${current} --${step}`).toBe(true);
      if (result.ok) current = result.to;
    }
    expect(current).toBe('accepted');
    expect(formTransition('signed', 'accept', options).ok).toBe(false);
    expect(formTransition('signed', 'accept', { cosign: false })).toEqual({ ok: true, to: 'accepted' });
    expect(formTransition('signed', 'cosign', { cosign: false }).ok).toBe(false);
  });

  it('never leaves the known states; accepted is final; only editable states accept edits', () => {
    fc.assert(
      fc.property(fc.boolean(), state, fc.array(action, { maxLength: 30 }), (cosign, start, actions) => {
        let current = start;
        for (const step of actions) {
          const result = formTransition(current, step, { cosign });
          if (current === 'accepted') expect(result.ok).toBe(false);
          if (step === 'save' || step === 'submit') expect(result.ok).toBe(isEditable(current));
          if (result.ok) {
            expect(SUBMISSION_STATES).toContain(result.to);
            if (step === 'cosign') expect(cosign).toBe(true);
            current = result.to;
          }
        }
      }),
    );
  });

  it('marks late after the deadline only', () => {
    const deadline = new Date('2026-08-07T09:00:00Z');
    expect(isLate(deadline, new Date('2026-08-07T09:00:00Z'))).toBe(false);
    expect(isLate(deadline, new Date('2026-08-07T09:00:01Z'))).toBe(true);
  });
});

describe('summaries', () => {
  const formArbitrary = fc.record({
    cityId: fc.constantFrom(1, 2),
    countyId: fc.constantFrom(10, 11, 20),
    guards: fc.integer({ min: 0, max: 50 }),
    found: fc.integer({ min: 0, max: 100 }),
    fixedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    dormitory: fc.constantFrom(true, false, NOT_APPLICABLE),
  });

  it('totals equal the direct sums, per county, per city and overall', () => {
    fc.assert(
      fc.property(fc.array(formArbitrary, { maxLength: 40 }), (forms) => {
        const inputs = forms.map((form) => {
          const rectified = Math.floor(form.found * form.fixedShare);
          return {
            cityId: form.cityId,
            countyId: form.countyId,
            answers: validSeedAnswers({
              guards: form.guards,
              guardsLicensed: 0,
              guardsOverAge: 0,
              hazardsFound: form.found,
              hazardsRectified: rectified,
              hazardsUnrectified: form.found - rectified,
              oneKeyAlarmDormitory: form.dormitory,
            }),
          };
        });
        const result = summarize(SEED003_SCHOOL_FORM, inputs);
        const sum = (list: typeof inputs, key: string) =>
          list.reduce((total, input) => total + (input.answers[key] as number), 0);
        expect(result.overall.sums.hazardsFound).toBe(sum(inputs, 'hazardsFound'));
        expect(result.overall.forms).toBe(inputs.length);
        for (const [countyId, totals] of result.byCounty) {
          const own = inputs.filter((input) => input.countyId === countyId);
          expect(totals.sums.guards).toBe(sum(own, 'guards'));
          expect(totals.yes.oneKeyAlarmDormitory).toBe(
            own.filter((input) => input.answers.oneKeyAlarmDormitory === true).length,
          );
          expect(totals.notApplicable.oneKeyAlarmDormitory).toBe(
            own.filter((input) => input.answers.oneKeyAlarmDormitory === NOT_APPLICABLE).length,
          );
        }
        const cityTotal = [...result.byCity.values()].reduce(
          (total, city) => total + (city.sums.hazardsRectified ?? 0),
          0,
        );
        expect(cityTotal).toBe(sum(inputs, 'hazardsRectified'));
        // summary rows total the same way
        const numbers = summaryNumberColumns(SEED003_SCHOOL_FORM, SEED003_SUMMARY);
        const rows = inputs.map((input) =>
          summaryRow(SEED003_SCHOOL_FORM, SEED003_SUMMARY, { countyName: '武进区', schoolName: '某校' }, input.answers),
        );
        const totals = summaryTotals(numbers, rows);
        expect(totals[5]).toBe(sum(inputs, 'hazardsFound'));
        expect(totals[6]).toBe(sum(inputs, 'hazardsRectified'));
        expect(totals[0]).toBeNull();
      }),
    );
  });

  it('builds an Attachment 2 row', () => {
    const row = summaryRow(
      SEED003_SCHOOL_FORM,
      SEED003_SUMMARY,
      { countyName: '武进区', schoolName: '湖塘实验中学' },
      validSeedAnswers({ surroundingsHotspots: '校门口流动摊贩，已联合城管整治' }),
    );
    expect(row).toEqual([
      '武进区',
      '湖塘派出所',
      '湖塘实验中学',
      '校门口流动摊贩，已联合城管整治',
      '部分',
      10,
      8,
      '无',
    ]);
    expect([rectifiedFlag(0, 0), rectifiedFlag(3, 3), rectifiedFlag(3, 0), rectifiedFlag('/', 1)]).toEqual([
      '无隐患',
      '是',
      '否',
      '',
    ]);
  });

  it('counts yes/no answers once each', () => {
    const totals = addToTotals(SEED003_SCHOOL_FORM, emptyTotals(SEED003_SCHOOL_FORM), validSeedAnswers());
    expect(totals.yes.specialTeam).toBe(1);
    expect(totals.no.bollard).toBe(1);
    expect(totals.notApplicable.oneKeyAlarmDormitory).toBe(1);
  });
});
