import {
  ALARM_ACTIONS,
  type AlarmAction,
  alarmActionBodies,
  alarmCounts,
  alarmCountsQuery,
  alarmDetail,
  alarmIdParams,
  alarmResponder,
  alarmSummary,
  alarmToHazardBody,
  alarmToIncidentBody,
  createAlarmBody,
  helpRequestBody,
  listAlarmsQuery,
  myAlarmsQuery,
  pageOf,
  respondersQuery,
} from '@safe-campus/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../platform/audit.js';
import { authOf } from '../../platform/context.js';
import { endOfDay, startOfDay } from '../../platform/dates.js';
import { AppError } from '../../platform/errors.js';
import { idempotencyKeyOf, runIdempotent } from '../../platform/idempotency.js';
import { decodeCursor, toPage } from '../../platform/pagination.js';
import { onDutyAt } from '../duty/on-duty.js';
import { HazardService } from '../hazards/service.js';
import { AlarmEscalator } from './escalation.js';
import { presentAlarmSummary } from './presenter.js';
import { AlarmService } from './service.js';

const tags = ['alarms'];
const ACTION_SUMMARIES: Record<AlarmAction, string> = {
  acknowledge: '确认接警（停止超时升级计时）',
  dispatch: '派警：指派本校保安或处置小组前往（对方手机“我的出警”可见并收到通知）',
  arrive: '处置人员到场',
  resolve: '处置完毕：处置结果、是否误报、备注',
};

export function alarmServiceOf(app: FastifyInstance): AlarmService {
  const { db, config } = app.platform;
  const hazards = new HazardService(db, {
    reminderHours: config.hazardReminderHours,
    escalationGraceHours: config.hazardEscalationGraceHours,
  });
  return new AlarmService(
    db,
    {
      acknowledgeSeconds: config.alarmAckSeconds,
      arriveSeconds: config.alarmArriveSeconds,
      timeZone: config.businessTimeZone,
    },
    hazards,
  );
}

export async function alarmsModule(app: FastifyInstance): Promise<void> {
  const { db, config } = app.platform;
  const service = alarmServiceOf(app);
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const zone = config.businessTimeZone;

  // Escalation runs while the server listens (tests drive escalateDueAlarms with a chosen now instead).
  const escalator = new AlarmEscalator(db, config.alarmAckSeconds, config.alarmEscalationCheckMs, app.log);
  app.addHook('onListen', async () => escalator.start());
  app.addHook('onClose', async () => escalator.stop());

  routes.get(
    '/alarms',
    {
      config: { access: 'alarm.read' },
      schema: {
        tags,
        summary: '警情：实时队列（未处置，按优先级和时间）或历史记录（按状态、类型、来源、日期、学校筛选）',
        querystring: listAlarmsQuery,
        response: { 200: pageOf(alarmSummary) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const query = request.query;
      const root = await service.root(auth, query.orgId);
      const from = query.from ? startOfDay(query.from, zone) : undefined;
      const before = query.to ? endOfDay(query.to, zone) : undefined;
      if (from && before && from.getTime() >= before.getTime()) throw new AppError(400, 'date_range_invalid');
      const filter = {
        root,
        state: query.state,
        kind: query.kind,
        source: query.source,
        open: query.open,
        escalated: query.escalated,
        falseAlarm: query.falseAlarm,
        from,
        before,
      };
      if (query.view === 'queue') {
        const after = query.cursor
          ? (decodeCursor(query.cursor, ['number', 'string', 'number']) as [number, string, number])
          : undefined;
        const rows = await service.queries.queue(filter, after, query.limit + 1);
        return toPage(rows, query.limit, presentAlarmSummary, (row) => [
          row.priority,
          row.raised_at.toISOString(),
          row.id,
        ]);
      }
      const after = query.cursor ? (decodeCursor(query.cursor, ['string', 'number']) as [string, number]) : undefined;
      const rows = await service.queries.history(filter, after, query.limit + 1);
      return toPage(rows, query.limit, presentAlarmSummary, (row) => [row.raised_at.toISOString(), row.id]);
    },
  );

  routes.get(
    '/alarms/mine',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: '我的警情：派给我的出警任务（保安手机），或我发出的求助及其进展',
        querystring: myAlarmsQuery,
        response: { 200: pageOf(alarmSummary) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { role, open, cursor, limit } = request.query;
      const after = cursor ? (decodeCursor(cursor, ['string', 'number']) as [string, number]) : undefined;
      const rows = await service.queries.mine(auth.userId, role, open, after, limit + 1);
      return toPage(rows, limit, presentAlarmSummary, (row) => [row.raised_at.toISOString(), row.id]);
    },
  );

  routes.get(
    '/alarms/counts',
    {
      config: { access: 'alarm.read' },
      schema: {
        tags,
        summary: '今日警情统计（按类型，含未处置、超时升级、误报）',
        querystring: alarmCountsQuery,
        response: { 200: alarmCounts },
      },
    },
    async (request) => {
      const root = await service.root(authOf(request), request.query.orgId);
      return service.countsToday(root, new Date());
    },
  );

  routes.get(
    '/alarms/responders',
    {
      config: { access: 'alarm.handle' },
      schema: {
        tags,
        summary: '可派警人员（本校保安、安保干部、校领导；在班的排在前面）',
        querystring: respondersQuery,
        response: { 200: z.object({ items: z.array(alarmResponder) }) },
      },
    },
    async (request) => {
      const root = await service.root(authOf(request), request.query.orgId);
      if (root.level !== 'school') throw new AppError(400, 'alarm_org_not_school');
      const onDuty = new Set((await onDutyAt(db, root.id, new Date())).map((person) => person.userId));
      return { items: await service.responders(root.id, onDuty) };
    },
  );

  routes.get(
    '/alarms/:id',
    {
      // Readers of the school and the bureaus above; the requester and the assignee too: the service decides.
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: '警情详情（全过程时间线、响应时长、可执行操作）',
        params: alarmIdParams,
        response: { 200: alarmDetail },
      },
    },
    async (request) => service.detail(authOf(request), request.params.id),
  );

  routes.post(
    '/alarms',
    {
      config: { access: 'alarm.handle' },
      schema: {
        tags,
        summary: '接警登记：值班人员手工录入警情',
        description: '可带 `Idempotency-Key` 请求头：同一键重复提交只登记一次。',
        body: createAlarmBody,
        response: { 200: alarmDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(db, auth, idempotencyKeyOf(request), 'POST /alarms', request.body, (trx) =>
        service.createManual(trx, auth, actorOf(request), request.body),
      );
      return service.detail(auth, id);
    },
  );

  routes.post(
    '/alarms/help',
    {
      config: { access: 'alarm.help_request' },
      schema: {
        tags,
        summary: '师生一键求助（手机）：位置文字、浏览器定位、场所',
        description: '可带 `Idempotency-Key` 请求头：网络重试或连按只产生一条求助。',
        body: helpRequestBody,
        response: { 200: alarmDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = await runIdempotent(db, auth, idempotencyKeyOf(request), 'POST /alarms/help', request.body, (trx) =>
        service.helpRequest(trx, auth, actorOf(request), request.body),
      );
      return service.detail(auth, id);
    },
  );

  for (const action of ALARM_ACTIONS) {
    routes.post(
      `/alarms/:id/${action}`,
      {
        config: { access: 'alarm.handle' },
        schema: {
          tags,
          summary: ACTION_SUMMARIES[action],
          description: '可带 `Idempotency-Key` 请求头。当前状态不允许时返回 409。',
          params: alarmIdParams,
          body: alarmActionBodies[action],
          response: { 200: alarmDetail },
        },
      },
      async (request) => {
        const auth = authOf(request);
        const id = request.params.id;
        await runIdempotent(db, auth, idempotencyKeyOf(request), `POST /alarms/${id}/${action}`, request.body, (trx) =>
          service.act(trx, auth, actorOf(request), id, action, request.body as never),
        );
        return service.detail(auth, id);
      },
    );
  }

  routes.post(
    '/alarms/:id/hazard',
    {
      config: { access: 'alarm.handle' },
      schema: {
        tags,
        summary: '处置完毕的警情转为隐患（进入隐患排查整改流程）',
        params: alarmIdParams,
        body: alarmToHazardBody,
        response: { 200: alarmDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = request.params.id;
      await runIdempotent(db, auth, idempotencyKeyOf(request), `POST /alarms/${id}/hazard`, request.body, (trx) =>
        service.toHazard(trx, auth, actorOf(request), id, request.body),
      );
      return service.detail(auth, id);
    },
  );

  routes.post(
    '/alarms/:id/incident',
    {
      config: { access: 'alarm.handle' },
      schema: {
        tags,
        summary: '处置完毕的警情登记为事件记录',
        params: alarmIdParams,
        body: alarmToIncidentBody,
        response: { 200: alarmDetail },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const id = request.params.id;
      await runIdempotent(db, auth, idempotencyKeyOf(request), `POST /alarms/${id}/incident`, request.body, (trx) =>
        service.toIncident(trx, auth, actorOf(request), id, request.body),
      );
      return service.detail(auth, id);
    },
  );
}
