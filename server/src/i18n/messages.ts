/** Problem messages by stable code, in Chinese (default) and English. `{name}` placeholders come from params. */
export const MESSAGES = {
  validation_failed: { zh: '提交的数据不符合要求', en: 'The request is not valid' },
  malformed_json: { zh: '请求体不是有效的 JSON', en: 'The request body is not valid JSON' },
  unsupported_media_type: { zh: '不支持的内容类型', en: 'Unsupported content type' },
  payload_too_large: { zh: '提交的内容过大', en: 'The request is too large' },
  not_found: { zh: '未找到该记录，或您无权查看', en: 'Not found' },
  route_not_found: { zh: '接口不存在', en: 'No such endpoint' },
  method_not_allowed: { zh: '不支持的请求方法', en: 'Method not allowed' },
  unauthenticated: { zh: '请先登录', en: 'Please sign in' },
  session_expired: { zh: '登录已超时，请重新登录', en: 'Your session has expired; please sign in again' },
  forbidden: { zh: '您没有执行此操作的权限', en: 'You do not have permission to do this' },
  csrf_failed: { zh: '请求校验失败（CSRF），请刷新页面后重试', en: 'CSRF check failed; reload the page and retry' },
  invalid_credentials: { zh: '用户名或密码错误', en: 'Wrong user name or password' },
  account_locked: {
    zh: '连续登录失败次数过多，账号已锁定，请于 {minutes} 分钟后再试',
    en: 'Too many failed sign-ins; the account is locked for {minutes} more minutes',
  },
  account_disabled: { zh: '账号已停用，请联系管理员', en: 'This account is disabled' },
  password_change_required: { zh: '首次登录请先修改初始密码', en: 'Change your initial password first' },
  totp_required: { zh: '请输入动态验证码完成登录', en: 'Enter your authenticator code to finish signing in' },
  totp_enrolment_required: {
    zh: '管理员账号须先绑定动态验证码（双因素认证）',
    en: 'Administrator accounts must enrol an authenticator first',
  },
  totp_invalid: { zh: '动态验证码不正确', en: 'The authenticator code is wrong' },
  totp_not_enrolled: { zh: '尚未开始绑定动态验证码', en: 'No authenticator enrolment in progress' },
  password_too_weak: {
    zh: '密码须至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类，且不能包含用户名',
    en: 'Passwords need 8+ characters from three of: upper case, lower case, digits, symbols, and must not contain the user name',
  },
  password_reused: { zh: '新密码不能与当前密码相同', en: 'The new password must differ from the current one' },
  current_password_wrong: { zh: '当前密码不正确', en: 'The current password is wrong' },
  rate_limited: { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  conflict: { zh: '数据与现有记录冲突', en: 'This conflicts with an existing record' },
  code_taken: { zh: '编码“{code}”已被使用', en: 'The code "{code}" is already in use' },
  username_taken: { zh: '用户名“{username}”已被使用', en: 'The user name "{username}" is taken' },
  org_level_invalid: {
    zh: '“{child}”级单位不能设在“{parent}”级单位之下',
    en: 'A {child} cannot be placed under a {parent}',
  },
  org_has_children: {
    zh: '该单位下还有下级单位、场所或人员，不能删除',
    en: 'The unit still has children, places or people',
  },
  school_type_required: { zh: '学校须填写学校类型', en: 'A school needs a school type' },
  school_type_not_allowed: { zh: '只有学校可以填写学校类型', en: 'Only schools have a school type' },
  hazard_action_not_allowed: {
    zh: '该隐患当前状态下不能执行此操作，请刷新后查看最新状态',
    en: "This step is not possible in the hazard's current state",
  },
  hazard_not_responsible: {
    zh: '只有该隐患的整改责任人可以提交整改结果',
    en: 'Only the responsible person records the fix',
  },
  hazard_supervisor_must_verify: {
    zh: '挂牌督办或重大隐患须由督办单位（教育局）验收',
    en: 'Supervised and major hazards are verified by the supervising bureau',
  },
  hazard_deadline_past: { zh: '整改时限须晚于当前时间', en: 'The deadline must lie in the future' },
  hazard_org_not_school: {
    zh: '隐患须上报到某所学校或其部门',
    en: 'A hazard belongs to a school or one of its departments',
  },
  hazard_place_invalid: { zh: '所选场所不属于该学校', en: 'The place belongs to another school' },
  hazard_photo_not_image: { zh: '隐患照片须为图片文件（JPG、PNG、WebP、GIF）', en: 'Hazard photos must be images' },
  hazard_found_at_invalid: {
    zh: '发现时间须在最近 30 天内，且不能晚于当前时间',
    en: 'The time found must lie within the last 30 days and not in the future',
  },
  hazard_responsible_invalid: {
    zh: '整改责任人须为本校在岗人员',
    en: 'The responsible person must be an active member of the school',
  },
  hazard_already_supervised: {
    zh: '该隐患已由上级单位挂牌督办',
    en: 'A higher bureau already supervises this hazard',
  },
  hazard_not_supervised: { zh: '该隐患未被挂牌督办', en: 'This hazard is not under supervision' },
  // duty rosters (modules/duty)
  duty_unit_invalid: { zh: '值班表须属于学校或教育局，不能建在部门下', en: 'Rosters belong to a school or a bureau' },
  duty_shift_invalid: { zh: '每个班次须为 1～24 小时', en: 'A shift lasts 1 to 24 hours' },
  duty_period_invalid: {
    zh: '期间须从开始日期到结束日期，且不超过 {days} 天',
    en: 'The period must run forward and last at most {days} days',
  },
  duty_person_invalid: {
    zh: '值班人员须为本单位人员：{names}',
    en: 'People on duty must belong to the unit: {names}',
  },
  duty_person_duplicate: { zh: '同一人员在一个班次中只能出现一次', en: 'A person appears once per shift' },
  duty_leader_required: {
    zh: '假期值班须安排带班领导（领导带班）',
    en: 'A holiday shift needs a leader on duty',
  },
  duty_holiday_name_required: { zh: '假期值班须填写假期名称（如元旦）', en: 'Name the holiday of a holiday shift' },
  duty_overlap: {
    zh: '{names} 在该时段已有其他值班安排，同一人员的班次不能重叠',
    en: '{names} already on another shift at that time',
  },
  duty_shift_started: { zh: '该班次已开始，不能删除', en: 'The shift has started and cannot be deleted' },
  duty_shift_ended: { zh: '该班次已结束，不能修改', en: 'The shift has ended and cannot be changed' },
  duty_not_on_shift: { zh: '您不在该班次的值班人员中', en: 'You are not on this shift' },
  duty_swap_target_invalid: {
    zh: '替班人员须为本单位人员，且不在该班次中',
    en: 'The colleague must belong to the unit and not be on the shift already',
  },
  duty_swap_state: { zh: '该换班申请已处理，请刷新后查看', en: 'This swap has already been decided' },
  duty_swap_pending: { zh: '该班次已有待审批的换班申请', en: 'This shift already has a pending swap request' },
  duty_handover_window: {
    zh: '交接班记录须在班次结束前 1 小时至结束后 24 小时内填写',
    en: 'A handover is written from 1 hour before the end of the shift to 24 hours after it',
  },
  duty_handover_exists: { zh: '该班次已填写交接班记录，记录不可修改', en: 'This shift already has a handover' },
  duty_handover_recipient_invalid: {
    zh: '接班人须为下一班次的值班人员',
    en: 'The handover goes to a person on the next shift',
  },
  duty_pattern_invalid: { zh: '班次时段设置有误（每段 1～24 小时，且不能重叠）', en: 'The shift pattern is not valid' },
  duty_rota_too_small: {
    zh: '轮值人员不足：每班需要 {needed} 人',
    en: 'Not enough people in the rota: each shift needs {needed}',
  },
  // alarms and the command center (modules/alarms, modules/command)
  alarm_action_not_allowed: {
    zh: '该警情当前状态下不能执行此操作，请刷新后查看最新状态',
    en: "This step is not possible in the alarm's current state",
  },
  alarm_org_not_school: { zh: '警情须属于某所学校', en: 'An alarm belongs to a school' },
  alarm_place_invalid: { zh: '所选场所不属于该学校', en: 'The place belongs to another school' },
  alarm_assignee_invalid: {
    zh: '出警人员须为本校在岗人员',
    en: 'The person dispatched must be an active member of the school',
  },
  alarm_not_resolved: { zh: '警情处置完毕后才能转为隐患或登记事件', en: 'Resolve the alarm first' },
  alarm_hazard_exists: { zh: '该警情已转为隐患', en: 'This alarm already became a hazard' },
  alarm_incident_exists: { zh: '该警情已登记为事件', en: 'This alarm already has an incident record' },
  alarm_false_alarm: { zh: '误报不能登记为事件', en: 'A false alarm cannot become an incident' },
  date_range_invalid: { zh: '开始日期不能晚于结束日期', en: 'The start date is after the end date' },
  idempotency_key_invalid: {
    zh: '防重复提交标识（Idempotency-Key）格式不正确',
    en: 'The Idempotency-Key header is not valid (8–100 letters, digits, _.:-)',
  },
  idempotency_key_reused: {
    zh: '同一防重复提交标识已用于另一份不同的提交',
    en: 'This Idempotency-Key was already used for a different request',
  },
  place_org_not_school: { zh: '场所须属于某所学校', en: 'Places belong to a school' },
  place_parent_invalid: { zh: '上级场所不属于同一所学校', en: 'The parent place belongs to another school' },
  place_has_children: { zh: '该场所下还有子场所，不能删除', en: 'The place still has child places' },
  place_parent_cycle: {
    zh: '上级场所不能是该场所本身或其下级',
    en: 'A place cannot sit under itself or its own child',
  },
  place_plan_invalid: {
    zh: '平面图坐标须同时填写横、纵坐标（0～1），且须先选择平面图',
    en: 'Plan coordinates need both X and Y (0..1) and a floor plan',
  },
  floor_plan_invalid: {
    zh: '平面图须为本人上传或本校场所已使用的图片',
    en: 'The floor plan must be an image you uploaded or one of this school',
  },
  place_in_use: { zh: '该场所已被其他记录引用，不能删除', en: 'The place is referenced by other records' },
  role_duplicate: { zh: '该用户在该单位已有此角色', en: 'The user already holds this role at this unit' },
  role_level_invalid: {
    zh: '角色“{role}”不能分配在“{level}”级单位',
    en: 'The role {role} cannot be held at a {level}',
  },
  role_admin_forbidden: {
    zh: '系统管理员不能授予管理员角色（三员分立），请由安全管理员授予',
    en: 'Administrator roles are granted by the security administrator only',
  },
  not_administrator: {
    zh: '该账号不是管理员账号，请由系统管理员重置密码',
    en: 'Not an administrator account; the system administrator resets it',
  },
  last_assignment: { zh: '用户至少须保留一个角色', en: 'A user keeps at least one role' },
  self_modification: { zh: '不能修改自己的角色或状态', en: 'You cannot change your own roles or status' },
  file_type_not_allowed: {
    zh: '不支持的文件类型，仅支持 JPG、PNG、WebP、GIF 图片、PDF 与 Office 文档',
    en: 'File type not allowed: JPG, PNG, WebP, GIF, PDF and Office documents only',
  },
  file_too_large: { zh: '文件超过大小限制（{limit}）', en: 'The file is larger than {limit}' },
  file_missing: { zh: '请选择要上传的文件', en: 'Choose a file to upload' },
  import_invalid: {
    zh: 'Excel 导入有 {count} 处错误，未写入任何数据',
    en: 'The import has {count} errors; nothing was written',
  },
  import_unreadable: {
    zh: '无法读取该 Excel 文件，请使用下载的模板',
    en: 'The Excel file cannot be read; use the template',
  },
  import_empty: { zh: 'Excel 文件中没有数据行', en: 'The Excel file has no data rows' },
  import_too_large: { zh: '一次最多导入 {max} 行', en: 'At most {max} rows per import' },
  // devices and ingestion (modules/devices, modules/ingest)
  device_org_not_school: { zh: '设备须登记在学校（或其部门）下', en: 'Devices belong to a school' },
  device_place_invalid: { zh: '安装场所须为本校场所', en: 'The place must belong to the same school' },
  device_field_invalid: {
    zh: '该类设备不能填写或必须填写“{field}”（摄像机填保存天数，入侵探测器填防区类型）',
    en: 'The field {field} does not fit this kind of device',
  },
  device_passive: { zh: '防冲撞/阻车设施为被动设施，没有接入令牌', en: 'Passive devices have no token' },
  device_in_use: {
    zh: '该设备已有报警记录，不能删除，请改为停用',
    en: 'The device has alarms on record; disable it instead',
  },
  ingest_unauthenticated: {
    zh: '设备认证失败：设备编码、学校编码或令牌不正确',
    en: 'Device authentication failed: device code, school code or token is wrong',
  },
  ingest_malformed: { zh: '设备事件格式不正确（须符合 payload v1）', en: 'The device event does not match payload v1' },
  ingest_rate_limited: {
    zh: '该设备上报过于频繁，已被限流',
    en: 'This device sends too many events and is rate-limited',
  },
  // inspections and patrols (modules/inspections)
  inspection_org_not_school: { zh: '须选择学校（或其部门）', en: 'Choose a school' },
  inspection_template_owner_invalid: {
    zh: '检查表须属于学校或教育局',
    en: 'A checklist template belongs to a school or a bureau',
  },
  inspection_template_read_only: {
    zh: '内置或上级发布的检查表不能修改，请复制后调整',
    en: 'Built-in and published templates are read-only; copy one to adapt it',
  },
  inspection_publish_not_bureau: { zh: '只有教育局的检查表可以向下级发布', en: 'Only bureaus publish templates' },
  inspection_template_invalid: {
    zh: '所选检查表不可用（不存在、已停用或不对本单位开放）',
    en: 'The template is not available to this unit',
  },
  inspection_route_invalid: { zh: '巡逻路线须为本校未停用的路线', en: "The route must be one of the school's routes" },
  inspection_place_invalid: { zh: '所选场所不属于该学校', en: 'The place belongs to another school' },
  inspection_assignee_invalid: { zh: '执行人须为本校在职人员', en: 'Assignees must be staff of the school' },
  inspection_assignee_required: { zh: '请指定执行人或值班角色', en: 'Assign people or a duty role' },
  inspection_route_or_places: { zh: '巡逻路线与检查场所只能选一种', en: 'Choose a route or places, not both' },
  inspection_version_unknown: { zh: '检查表版本不存在', en: 'The template version does not exist' },
  inspection_version_mismatch: {
    zh: '提交的检查表版本与任务的版本不一致',
    en: "The template version differs from the task's",
  },
  inspection_task_unknown: { zh: '任务不存在或不属于本校', en: 'No such task' },
  inspection_task_not_assigned: { zh: '该任务未分派给您', en: 'This task is not assigned to you' },
  inspection_school_invalid: { zh: '被检查学校不存在或不在您的管辖范围内', en: 'The school is not in your scope' },
  inspection_time_invalid: {
    zh: '完成时间不合理（晚于当前时间，或早于30天前）',
    en: 'The completion time is in the future or more than 30 days ago',
  },
  inspection_qr_invalid: { zh: '二维码无效（伪造或已损坏）', en: 'The QR code is forged or damaged' },
  inspection_qr_wrong_place: {
    zh: '二维码不属于本路线（可能是其他学校或其他路线的巡逻点）',
    en: 'The QR code belongs to another route or school',
  },
  inspection_scans_incomplete: { zh: '巡逻点扫码不完整或时间不符', en: 'Checkpoint scans are missing or out of time' },
  inspection_answers_invalid: { zh: '检查项填写不完整或格式不正确', en: 'Some answers are missing or invalid' },
  inspection_photo_invalid: {
    zh: '照片无效（须为本人上传且未使用过的图片）',
    en: 'Photos must be your own unused image uploads',
  },
  inspection_client_id_used: { zh: '该记录编号已被使用', en: 'This client id is already used' },
  inspection_range_too_long: { zh: '日期范围过长（最多62天）', en: 'The range is too long (at most 62 days)' },
  guard_org_not_school: { zh: '保安员名单须按学校查看', en: 'Guards are listed per school' },
  guard_birth_year_invalid: {
    zh: '出生年份不正确：保安员须年满 {min} 周岁',
    en: 'The year of birth is not valid: guards are at least {min} years old',
  },
  guard_licence_without_licensed: {
    zh: '未持证的保安员不能登记保安员证号',
    en: 'A licence number needs the guard to be marked as licensed',
  },
  notice_target_invalid: {
    zh: '只能向本单位下级发布通知：教育局发往下级教育局和学校，学校发往本校部门',
    en: 'Notices go down the tree: bureaus to the bureaus and schools below, schools to their departments',
  },
  notice_no_recipients: { zh: '没有符合条件的接收单位', en: 'No unit matches the chosen recipients' },
  notice_deadline_past: { zh: '回执截止时间须晚于当前时间', en: 'The reply deadline must be in the future' },
  notice_withdrawn: { zh: '该通知已撤回', en: 'This notice has been withdrawn' },
  notice_remind_too_soon: {
    zh: '同一通知一小时内只能催办一次，请于 {time} 后再试',
    en: 'A notice can be reminded once an hour; try again after {time}',
  },
  notice_reply_not_required: { zh: '该通知不需要回执', en: 'This notice asks for no reply' },
  notice_already_replied: { zh: '本单位已提交回执', en: 'Your unit has already replied' },
  notice_reply_empty: { zh: '回执须填写内容或上传附件', en: 'A reply needs text or a file' },
  urgent_report_school_only: { zh: '突发事件信息须由学校报送', en: 'Urgent reports are made by a school' },
  urgent_report_occurred_future: { zh: '事发时间不能晚于当前时间', en: 'The event cannot be in the future' },
  urgent_report_acknowledged: { zh: '该信息已签收', en: 'This report has already been acknowledged' },
  form_invalid: { zh: '报表填写有误：{first}', en: 'The form has errors: {first}' },
  form_state: { zh: '报表当前状态不允许此操作', en: 'The form is not in a state that allows this' },
  form_revision: {
    zh: '报表已被他人修改，请刷新后再保存',
    en: 'Someone else changed the form; reload before saving',
  },
  form_template_read_only: {
    zh: '内置报表模板或上级单位的模板不能修改，请复制后调整',
    en: 'Built-in or higher-level templates are read-only; copy to adapt',
  },
  form_template_invalid: { zh: '报表模板有误：{first}', en: 'The template has problems: {first}' },
  form_owner_not_bureau: { zh: '报表模板和报表任务只能由教育局创建', en: 'Only bureaus own templates and issue forms' },
  form_template_archived: { zh: '该报表模板已停用', en: 'This template is archived' },
  form_collection_closed: { zh: '该报表任务已结束，不再接收填报', en: 'This collection is closed' },
  form_no_schools: { zh: '下发范围内没有符合条件的学校', en: 'No school in the subtree matches' },
  form_deadline_invalid: {
    zh: '截止时间须晚于当前时间',
    en: 'The deadline must be in the future',
  },
  form_review_not_issuer: {
    zh: '只有下发该报表的教育局或其上级可以审核',
    en: 'Only the issuing bureau or a bureau above it reviews this form',
  },
  invalid_cursor: { zh: '分页参数无效', en: 'Invalid cursor' },
  internal_error: { zh: '服务器内部错误，请稍后再试', en: 'Internal server error' },
  service_unavailable: { zh: '服务暂不可用（数据库连接中断），请稍后再试', en: 'Service unavailable' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type ProblemCode = keyof typeof MESSAGES;

/** Field-level validation messages for the most common zod issues. */
export const FIELD_MESSAGES = {
  required: { zh: '必填', en: 'required' },
  invalid_type: { zh: '类型不正确', en: 'wrong type' },
  too_small: { zh: '过短或过小', en: 'too short or too small' },
  too_big: { zh: '过长或过大', en: 'too long or too large' },
  invalid_value: { zh: '取值不在允许范围内', en: 'not an allowed value' },
  invalid_format: { zh: '格式不正确', en: 'wrong format' },
  unrecognized_keys: { zh: '包含不认识的字段', en: 'unknown fields' },
  control_characters: { zh: '包含不允许的控制字符', en: 'contains control characters' },
  other: { zh: '不符合要求', en: 'not valid' },
} as const;

export type Language = 'zh' | 'en';

export function pickLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'zh';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}

export function formatMessage(code: ProblemCode, language: Language, params: Record<string, unknown> = {}): string {
  const template = MESSAGES[code][language];
  return template.replace(/\{(\w+)\}/g, (_, key: string) => String(params[key] ?? ''));
}
