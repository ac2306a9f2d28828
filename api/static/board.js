// The nurse board: open incidents of my zones, live over server-sent events.
"use strict";

const RANK = { high: 3, medium: 2, low: 1 };
const VITALS = [["hr", " bpm"], ["spo2", "%"], ["rr", "/min"], ["skin_temp", "°C"]];
const OUTCOMES = ["handled", "false_alarm", "transferred_to_hospital", "ems_called", "condition_cleared", "deceased", "drill", "other"];
const SILENCE_S = 12;  // no word from the server for this long: the connection is lost

const Board = {
  items: new Map(),
  technical: [],
  offset: 0,         // server clock minus browser clock, seconds
  lastHeard: 0,      // browser time of the last message from the server
  online: false,
  stream: null,
  canAct: false,

  async start() {
    const session = await Api.start("board");
    this.canAct = ["nurse", "charge_nurse"].includes(session.user.role);
    this.zoneNames = Object.fromEntries(session.zones.map((z) => [z.id, z.name]));
    Alarm.init((state) => this.showSound(state));
    document.getElementById("banner-sound").addEventListener("click", () => Alarm.unlock());
    this.setUpDialogs();
    document.addEventListener("languagechange", () => this.render());
    this.connect();
    setInterval(() => this.tick(), 1000);
  },

  // The whole board: the stream sends it first on every (re)connection.
  load(board) {
    this.heard(board.now);
    this.items = new Map(board.items.map((item) => [item.id, item]));
    this.zones = board.zones.map((id) => this.zoneNames[id] || id);
    this.technical = board.technical;
    this.render();
  },

  connect() {
    if (this.stream) this.stream.close();
    const stream = new EventSource("/api/v1/board/stream");
    this.stream = stream;
    stream.addEventListener("snapshot", (e) => this.load(JSON.parse(e.data)));
    stream.addEventListener("status", (e) => {
      const status = JSON.parse(e.data);
      this.heard(status.now);
      this.technical = status.technical;
      for (const [id, vitals] of Object.entries(status.vitals || {})) {
        const item = this.items.get(id);
        if (item) item.latest_vitals = vitals;
      }
      this.render();
    });
    stream.addEventListener("incident", (e) => {
      const item = JSON.parse(e.data);
      const shown = this.items.get(item.id);
      if (shown && shown.revision > item.revision) return;  // an older view, overtaken
      this.items.set(item.id, item);
      this.heard();
      this.render();
    });
    stream.addEventListener("removed", (e) => {
      this.items.delete(JSON.parse(e.data).id);
      this.heard();
      this.render();
    });
    stream.addEventListener("error", () => {
      this.setOnline(false);
      if (stream.readyState === EventSource.CLOSED) {
        // The server refused the stream (signed out?) or is down: check, then retry.
        setTimeout(() => Api.get("/api/v1/session").then(() => this.connect(), () => this.connect()), 3000);
      }
    });
  },

  heard(serverNow) {
    this.lastHeard = Date.now() / 1000;
    if (serverNow) this.offset = serverNow - this.lastHeard;
    this.setOnline(true);
  },

  tick() {
    if (this.online && Date.now() / 1000 - this.lastHeard > SILENCE_S) this.setOnline(false);
    this.renderTimes();
  },

  now() { return Date.now() / 1000 + this.offset; },

  setOnline(online) {
    if (this.online === online) return;
    this.online = online;
    console.info(`[shouhu] connection: ${online ? "live" : "lost"}`);
    document.getElementById("banner-offline").hidden = online;
    document.body.classList.toggle("offline", !online);
    this.renderStatus();
  },

  showSound(state) {
    const banner = document.getElementById("banner-sound");
    banner.hidden = state.sound === "on";
    banner.classList.toggle("urgent", state.alarm === "blocked");
    document.body.classList.toggle("alarming", state.alarm !== "silent");
  },

  sorted() {
    return [...this.items.values()].sort((a, b) =>
      (RANK[b.priority] || 0) - (RANK[a.priority] || 0)
      || (a.accepted_by ? 1 : 0) - (b.accepted_by ? 1 : 0)
      || b.opened_at - a.opened_at);
  },

  render() {
    const list = document.getElementById("incidents");
    const items = this.sorted();
    list.replaceChildren(...items.map((item) => this.card(item)));
    document.getElementById("empty").hidden = items.length > 0;
    Alarm.want(items.some((i) => i.priority === "high" && !i.accepted_by));
    this.renderTechnical();
    this.renderStatus();
  },

  renderTechnical() {
    const banner = document.getElementById("banner-technical");
    banner.hidden = this.technical.length === 0;
    banner.replaceChildren(...this.technical.map((alarm) => el("div", { class: "tech-line" },
      el("strong", {}, I18N.t("technical"), ": "),
      alarm.kind === "gateway_disconnected" ? I18N.t("gateway_disconnected")
        : `${I18N.t("kinds." + alarm.kind)} · ${I18N.pick(alarm.summary_i18n, alarm.summary)}`)));
  },

  renderStatus() {
    const zones = (this.zones || []);
    const line = document.getElementById("status-line");
    const heard = Math.max(0, Math.round(Date.now() / 1000 - this.lastHeard));
    line.replaceChildren(
      el("span", { class: this.online ? "dot live" : "dot dead" }),
      this.online ? I18N.t("connected") : I18N.t("lost_connection").split(/[:：]/)[0],
      " · ", I18N.t("updated_ago", { s: heard }), zones.length ? " · " : "", zones.join(", "));
  },

  renderTimes() {
    for (const node of document.querySelectorAll("[data-opened]")) {
      node.textContent = I18N.ago(this.now() - Number(node.dataset.opened));
    }
    this.renderStatus();
  },

  card(item) {
    const where = [
      item.room ? I18N.t("room", { room: item.room }) : null,
      item.bed ? I18N.t("bed", { bed: item.bed }) : null,
      item.zone ? this.zoneNames[item.zone] || item.zone : null,
      item.age != null ? I18N.t("age", { n: item.age }) : null,
    ].filter(Boolean).join(" · ");
    return el("article", {
      class: `card p-${item.priority} s-${item.state}${item.accepted_by ? " taken" : ""}`,
      "data-id": item.id, "data-state": item.state, "data-priority": item.priority,
    },
      el("div", { class: "card-top" },
        el("span", { class: `badge p-${item.priority}` }, I18N.t("priorities." + item.priority)),
        el("span", { class: "kind" }, I18N.t("kinds." + item.kind)),
        item.exercise ? el("span", { class: "badge drill" }, I18N.t("drill")) : null,
        el("span", { class: "state" }, I18N.t("states." + item.state)),
        el("time", { class: "ago", "data-opened": item.opened_at }, I18N.ago(this.now() - item.opened_at))),
      el("h2", { class: "resident" }, item.resident_name || item.device || this.summary(item),
        item.dnr ? el("span", { class: "badge dnr", title: I18N.t("dnr") }, "DNR") : null),
      where ? el("p", { class: "where" }, where) : null,
      el("p", { class: "evidence" }, el("span", { class: "label" }, I18N.t("detected"), ": "),
        el("span", { class: "text" }, I18N.pick(item.evidence_i18n, item.evidence))),
      this.vitals(item),
      this.owner(item),
      this.canAct ? this.buttons(item) : null);
  },

  summary(item) { return I18N.pick(item.summary_i18n, item.summary); },

  vitals(item) {
    const parts = VITALS.filter(([name]) => item.latest_vitals && item.latest_vitals[name] != null)
      .map(([name, unit]) => el("span", { class: "vital" },
        el("span", { class: "label" }, I18N.t("vital." + name), " "),
        el("b", {}, Number(item.latest_vitals[name]).toFixed(name === "skin_temp" ? 1 : 0)), unit));
    if (!item.resident) return null;
    return el("p", { class: "vitals" }, parts.length ? parts : I18N.t("no_vitals"));
  },

  owner(item) {
    if (item.accepted_by) {
      return el("p", { class: "owner taken" }, I18N.t("accepted_by", { name: item.accepted_by_name || item.accepted_by }),
        item.ems_requested ? el("span", { class: "badge ems" }, I18N.t("ems_requested")) : null);
    }
    if (item.paging_failed) return el("p", { class: "owner failed" }, I18N.t("paging_failed"));
    const names = (item.paged || []).map((p) => p.name).join(", ");
    return el("p", { class: "owner" }, names ? I18N.t("paged_to", { names }) : I18N.t("nobody_yet"),
      item.ems_requested ? el("span", { class: "badge ems" }, I18N.t("ems_requested")) : null);
  },

  buttons(item) {
    const mine = Api.session.user.staff;
    const act = (name, label, cls, run) => el("button", {
      type: "button", class: `big ${cls}`, "data-action": name, onclick: run,
    }, I18N.t(label));
    return el("div", { class: "actions" },
      !item.accepted_by ? act("accept", "accept", "primary", () => this.act(item, "ack")) : null,
      item.state !== "arrived" && (item.accepted_by === mine || !item.accepted_by)
        ? act("arrived", "arrived", "", () => this.act(item, "arrive")) : null,
      !item.ems_requested ? act("ems", "request_ems", "danger", () => this.askEms(item)) : null,
      act("resolve", "resolve", "", () => this.askResolve(item)));
  },

  async act(item, action, body) {
    try {
      const updated = await Api.post(`/api/v1/incidents/${encodeURIComponent(item.id)}/${action}`, body);
      if (updated && updated.state === "resolved") this.items.delete(item.id);
      // merge into what the stream may have sent meanwhile, not into the card as it was
      else if (updated) this.items.set(item.id, Object.assign({}, this.items.get(item.id) || item, updated));
      this.render();
    } catch (e) {
      if (e.message !== "signed out") this.toast(I18N.t("action_failed", { msg: e.message }));
    }
  },

  toast(text) {
    const toast = document.getElementById("toast");
    toast.textContent = text;
    toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
  },

  setUpDialogs() {
    const select = document.getElementById("resolve-outcome");
    const fill = () => select.replaceChildren(...OUTCOMES.map((o) => el("option", { value: o }, I18N.t("outcomes." + o))));
    fill();
    document.addEventListener("languagechange", fill);
    const resolve = document.getElementById("resolve-dialog");
    document.getElementById("resolve-cancel").addEventListener("click", () => resolve.close());
    document.getElementById("resolve-form").addEventListener("submit", () => {
      const note = document.getElementById("resolve-note").value;
      this.act(this.pending, "resolve", { outcome: select.value, note });
    });
    const ems = document.getElementById("ems-dialog");
    document.getElementById("ems-cancel").addEventListener("click", () => ems.close());
    document.getElementById("ems-form").addEventListener("submit", () => this.act(this.pending, "emergency", { note: "" }));
  },

  askResolve(item) {
    this.pending = item;
    document.getElementById("resolve-who").textContent = `${item.resident_name || this.summary(item)} · ${I18N.t("kinds." + item.kind)}`;
    document.getElementById("resolve-note").value = "";
    document.getElementById("resolve-dialog").showModal();
  },

  askEms(item) {
    this.pending = item;
    document.getElementById("ems-who").textContent = `${item.resident_name || this.summary(item)} · ${I18N.t("kinds." + item.kind)}`;
    document.getElementById("ems-dialog").showModal();
  },
};

document.addEventListener("DOMContentLoaded", () => {
  Board.start().catch((e) => console.error("[shouhu] board failed to start", e));
});
