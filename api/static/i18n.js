// Every word a page shows, in Simplified Chinese and English.
"use strict";

const MESSAGES = {
  "zh-CN": {
    app: "守护", lang_switch: "English", sign_in: "登录", sign_out: "退出",
    username: "用户名", password: "密码", wrong_password: "用户名或密码错误",
    too_many: "密码错误次数过多，请稍后再试", signing_in: "正在登录…",
    board: "值班看板", review: "事件回顾", audit: "审计日志",
    zones: "负责区域", all_quiet: "目前没有未处理的事件", quiet_hint: "看板已连接，实时更新中",
    connected: "已连接", updated_ago: "{s} 秒前更新",
    lost_connection: "与服务器的连接已断开：新的警报可能无法显示！正在重连…",
    sound_blocked: "警报声音被浏览器阻止。点击此处启用声音",
    sound_on: "声音已开启", sound_test: "测试声音",
    technical: "技术警报", gateway_disconnected: "传感器网关已断开：设备数据无法到达",
    ago_s: "{n} 秒前", ago_m: "{n} 分钟前", ago_h: "{n} 小时前", ago_d: "{n} 天前",
    room: "{room} 房", bed: "{bed} 床", age: "{n} 岁", dnr: "不施行心肺复苏 (DNR)",
    detected: "检测到", evidence: "依据", vitals: "最新生命体征", no_vitals: "暂无读数",
    who_has_it: "负责人", nobody_yet: "尚无人接受", paged_to: "已呼叫：{names}",
    accepted_by: "{name} 已接受", paging_failed: "呼叫失败，无人收到！",
    accept: "接受", arrived: "已到场", request_ems: "请求急救 (120)", resolve: "处理完毕",
    outcome: "处理结果", note: "备注", confirm_resolve: "确认结束事件", cancel: "取消",
    confirm_ems: "确认呼叫急救？", ems_requested: "已请求急救",
    action_failed: "操作失败：{msg}", drill: "演练",
    filters: "筛选", date_from: "开始日期", date_to: "结束日期", zone: "区域", resident: "住户",
    kind: "类型", priority: "优先级", state: "状态", any: "全部", apply: "查询",
    export_csv: "导出 CSV", incidents: "事件", opened: "发生时间", no_results: "没有符合条件的事件",
    figures: "响应指标", per_shift: "按班次", per_week: "按周", group: "时段",
    count: "事件数", to_deliver: "送达", to_accept: "接受", to_arrive: "到场", to_resolve: "处理",
    median: "中位数", p90: "90 分位", per_resident_night: "每住户每夜警报", false_share: "误报比例",
    timeline: "时间线", vitals_chart: "警报前后的生命体征", back: "返回", open_timeline: "查看",
    alert_time: "警报", no_vitals_snapshot: "本事件没有生命体征记录", actor: "人员", channel: "渠道",
    when: "时间", what: "事件", who: "谁", action: "操作", client: "来源",
    forbidden: "您的角色无权查看此页面", system: "系统",
    kinds: {
      sos: "SOS 呼叫", fall: "跌倒", chest_distress: "疑似胸部不适", no_vital_signs: "无生命体征",
      deterioration: "生命体征恶化", bed_exit: "离床未归", device_offline: "设备离线",
      battery_low: "电量低", device_removed: "腕带被摘下", paging_failure: "呼叫失败",
    },
    priorities: { high: "高", medium: "中", low: "低" },
    states: {
      opened: "新事件", paged: "已呼叫", delivered: "已送达", accepted: "已接受",
      arrived: "已到场", resolved: "已结束",
    },
    outcomes: {
      handled: "已妥善处理", false_alarm: "误报", transferred_to_hospital: "已转送医院",
      ems_called: "已呼叫急救", deceased: "已离世", condition_cleared: "情况已解除",
      drill: "演练", other: "其他",
    },
    events: {
      detected: "检测到", updated: "新的依据", paged: "已呼叫", page_failed: "呼叫失败",
      paging_failed: "无人可呼叫", delivered: "已送达", accepted: "已接受", declined: "已拒绝",
      arrived: "到达床旁", resolved: "已结束", condition_cleared: "情况解除", escalated: "已升级",
      ems_requested: "请求急救", ems_sent: "急救信息已发送", ems_confirmed: "急救已确认",
      reminder: "提醒",
    },
    vital: { hr: "心率", rr: "呼吸", spo2: "血氧", skin_temp: "体温", battery: "电量", presence: "在床", movement: "体动", worn: "佩戴" },
    actions: {
      sign_in: "登录", sign_in_failed: "登录失败", sign_out: "退出", read: "查看事件",
      list: "事件列表", board: "看板", board_stream: "打开看板", export: "导出",
      accept: "接受", arrived: "到场", emergency: "请求急救", resolve: "结束事件",
      read_resident: "查看住户资料", directory: "住户名录", user_created: "创建账户",
      user_changed: "修改账户",
    },
  },
  en: {
    app: "Shouhu", lang_switch: "中文", sign_in: "Sign in", sign_out: "Sign out",
    username: "Username", password: "Password", wrong_password: "Wrong username or password",
    too_many: "Too many wrong passwords; try again later", signing_in: "Signing in…",
    board: "Board", review: "Review", audit: "Audit log",
    zones: "Zones", all_quiet: "No open incidents", quiet_hint: "The board is connected and live",
    connected: "Connected", updated_ago: "updated {s} s ago",
    lost_connection: "Lost connection to the server: new alarms may not show! Reconnecting…",
    sound_blocked: "The browser blocked the alarm sound. Tap here to enable sound",
    sound_on: "Sound on", sound_test: "Test sound",
    technical: "Technical alarm", gateway_disconnected: "Sensor gateway disconnected: no device data arrives",
    ago_s: "{n} s ago", ago_m: "{n} min ago", ago_h: "{n} h ago", ago_d: "{n} d ago",
    room: "Room {room}", bed: "bed {bed}", age: "{n} y", dnr: "DNR (do not resuscitate)",
    detected: "Detected", evidence: "Evidence", vitals: "Latest vitals", no_vitals: "no readings",
    who_has_it: "Who has it", nobody_yet: "Nobody has accepted yet", paged_to: "Paged: {names}",
    accepted_by: "Accepted by {name}", paging_failed: "Paging failed: nobody received it!",
    accept: "Accept", arrived: "Arrived", request_ems: "Call emergency (120)", resolve: "Resolve",
    outcome: "Outcome", note: "Note", confirm_resolve: "Close the incident", cancel: "Cancel",
    confirm_ems: "Call emergency services?", ems_requested: "Emergency services requested",
    action_failed: "Failed: {msg}", drill: "Drill",
    filters: "Filters", date_from: "From", date_to: "To", zone: "Zone", resident: "Resident",
    kind: "Kind", priority: "Priority", state: "State", any: "Any", apply: "Search",
    export_csv: "Export CSV", incidents: "Incidents", opened: "Opened", no_results: "No incidents match",
    figures: "Response figures", per_shift: "Per shift", per_week: "Per week", group: "Period",
    count: "Incidents", to_deliver: "Deliver", to_accept: "Accept", to_arrive: "Arrive", to_resolve: "Resolve",
    median: "median", p90: "p90", per_resident_night: "Alarms per resident-night", false_share: "False alarms",
    timeline: "Timeline", vitals_chart: "Vital signs around the alert", back: "Back", open_timeline: "Open",
    alert_time: "alert", no_vitals_snapshot: "No vital signs were recorded for this incident", actor: "Who", channel: "Channel",
    when: "When", what: "What", who: "Who", action: "Action", client: "From",
    forbidden: "Your role cannot open this page", system: "system",
    kinds: {
      sos: "SOS call", fall: "Fall", chest_distress: "Chest distress suspected", no_vital_signs: "No vital signs",
      deterioration: "Vital signs deteriorating", bed_exit: "Out of bed, not back", device_offline: "Device offline",
      battery_low: "Battery low", device_removed: "Wristband removed", paging_failure: "Paging failure",
    },
    priorities: { high: "High", medium: "Medium", low: "Low" },
    states: {
      opened: "New", paged: "Paged", delivered: "Delivered", accepted: "Accepted",
      arrived: "At bedside", resolved: "Resolved",
    },
    outcomes: {
      handled: "Handled", false_alarm: "False alarm", transferred_to_hospital: "Transferred to hospital",
      ems_called: "Emergency services called", deceased: "Deceased", condition_cleared: "Condition cleared",
      drill: "Drill", other: "Other",
    },
    events: {
      detected: "Detected", updated: "New evidence", paged: "Paged", page_failed: "Page failed",
      paging_failed: "Nobody to page", delivered: "Delivered", accepted: "Accepted", declined: "Declined",
      arrived: "At the bedside", resolved: "Resolved", condition_cleared: "Condition cleared", escalated: "Escalated",
      ems_requested: "Emergency services requested", ems_sent: "Dispatch sent", ems_confirmed: "Emergency services confirmed",
      reminder: "Reminder",
    },
    vital: { hr: "HR", rr: "RR", spo2: "SpO₂", skin_temp: "Temp", battery: "Battery", presence: "In bed", movement: "Movement", worn: "Worn" },
    actions: {
      sign_in: "Signed in", sign_in_failed: "Sign-in failed", sign_out: "Signed out", read: "Read incident",
      list: "Listed incidents", board: "Board", board_stream: "Opened board", export: "Exported",
      accept: "Accepted", arrived: "Arrived", emergency: "Called emergency", resolve: "Resolved",
      read_resident: "Read resident record", directory: "Resident directory", user_created: "Created account",
      user_changed: "Changed account",
    },
  },
};

const I18N = {
  lang: "zh-CN",
  tz: null,

  init() {
    const saved = localStorage.getItem("shouhu.lang");
    const browser = (navigator.languages || [navigator.language || "en"])[0] || "en";
    this.lang = saved && MESSAGES[saved] ? saved : (browser.toLowerCase().startsWith("zh") ? "zh-CN" : "en");
    document.documentElement.lang = this.lang;
  },

  // t("ago_m", {n: 3}); t("kinds.sos"); unknown keys fall back to English, then to the key.
  t(key, vars) {
    const find = (lang) => key.split(".").reduce((node, part) => (node == null ? node : node[part]), MESSAGES[lang]);
    let text = find(this.lang);
    if (text == null) text = find("en");
    if (text == null) text = key.split(".").pop();
    return String(text).replace(/\{(\w+)\}/g, (_, name) => (vars && vars[name] != null ? vars[name] : ""));
  },

  // Fill every [data-i18n] element's text and [data-i18n-placeholder] placeholder.
  apply(root) {
    (root || document).querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = this.t(el.dataset.i18n); });
    (root || document).querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = this.t(el.dataset.i18nPlaceholder); });
    document.title = this.t(document.body.dataset.title || "app") + " · " + this.t("app");
  },

  // Server text in every language ({"en": ..., "zh-CN": ...}): the one for the page's language.
  pick(texts, fallback) {
    return (texts && (texts[this.lang] || texts.en)) || fallback || "";
  },

  toggle() {
    this.lang = this.lang === "zh-CN" ? "en" : "zh-CN";
    localStorage.setItem("shouhu.lang", this.lang);
    document.documentElement.lang = this.lang;
    this.apply();
    document.dispatchEvent(new CustomEvent("languagechange"));
  },

  ago(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return this.t("ago_s", { n: s });
    if (s < 3600) return this.t("ago_m", { n: Math.floor(s / 60) });
    if (s < 86400) return this.t("ago_h", { n: Math.floor(s / 3600) });
    return this.t("ago_d", { n: Math.floor(s / 86400) });
  },

  time(ts, withDate) {
    const opts = withDate
      ? { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }
      : { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
    if (this.tz) opts.timeZone = this.tz;  // the facility's clock, not the browser's
    return new Date(ts * 1000).toLocaleString(this.lang, opts);
  },
};

I18N.init();
