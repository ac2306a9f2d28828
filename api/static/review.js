// The manager's review: incidents by filter, CSV export, response figures.
"use strict";

const KINDS = ["sos", "fall", "chest_distress", "no_vital_signs", "deterioration", "bed_exit", "device_offline", "battery_low", "device_removed", "paging_failure"];
const PRIORITIES = ["high", "medium", "low"];
const RESULTS = ["handled", "false_alarm", "transferred_to_hospital", "ems_called", "condition_cleared", "deceased", "drill", "other"];
const MILESTONES = [["delivered", "to_deliver"], ["accepted", "to_accept"], ["arrived", "to_arrive"], ["resolved", "to_resolve"]];

// Midnight of a YYYY-MM-DD day in a time zone, as Unix seconds.
function zonedMidnight(day, tz) {
  const guess = Date.parse(day + "T00:00:00Z");
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(guess));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const seen = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return (guess - (seen - guess)) / 1000;
}

function dayIn(tz, ts) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(ts * 1000));
}

function seconds(value) {
  if (value == null) return "–";
  if (value < 120) return `${value.toFixed(value < 10 ? 1 : 0)} s`;
  if (value < 7200) return `${(value / 60).toFixed(1)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

const Review = {
  by: "week",
  incidents: [],
  figures: null,

  async start() {
    const session = await Api.start("review");
    this.tz = Api.facility.timezone;
    this.canExport = session.user.role === "manager";
    document.getElementById("export").hidden = !this.canExport;
    this.zones = session.zones;
    this.residents = await Api.get("/api/v1/directory");
    const params = new URLSearchParams(location.search);
    const now = Date.now() / 1000;
    document.getElementById("f-from").value = params.get("from") || dayIn(this.tz, now - 6 * 86400);
    document.getElementById("f-to").value = params.get("to") || dayIn(this.tz, now);
    this.fillSelects(params);
    document.getElementById("filters").addEventListener("submit", (e) => { e.preventDefault(); this.load(); });
    for (const button of document.querySelectorAll(".switch button")) {
      button.addEventListener("click", () => { this.by = button.dataset.by; this.loadFigures(); });
    }
    document.addEventListener("languagechange", () => { this.fillSelects(new URLSearchParams()); this.render(); this.renderFigures(); });
    await this.load();
  },

  fillSelects(params) {
    const fill = (id, values, label) => {
      const select = document.getElementById(id);
      const current = select.value || params.get(select.name) || "";
      select.replaceChildren(el("option", { value: "" }, I18N.t("any")),
        ...values.map((v) => el("option", { value: v }, label(v))));
      select.value = current;
    };
    fill("f-zone", this.zones.map((z) => z.id), (id) => this.zones.find((z) => z.id === id).name);
    fill("f-resident", this.residents.map((r) => r.id), (id) => {
      const r = this.residents.find((x) => x.id === id);
      return `${r.name} (${r.room})`;
    });
    fill("f-kind", KINDS, (k) => I18N.t("kinds." + k));
    fill("f-priority", PRIORITIES, (p) => I18N.t("priorities." + p));
    fill("f-outcome", RESULTS, (o) => I18N.t("outcomes." + o));
  },

  query() {
    const q = new URLSearchParams();
    const from = document.getElementById("f-from").value;
    const to = document.getElementById("f-to").value;
    if (from) q.set("since", zonedMidnight(from, this.tz));
    if (to) q.set("until", zonedMidnight(to, this.tz) + 86400);
    for (const name of ["zone", "resident", "kind", "priority", "outcome"]) {
      const value = document.getElementById("f-" + name).value;
      if (value) q.set(name, value);
    }
    return q;
  },

  // Only the newest request's answer is shown: an older, slower one never overwrites it.
  async load() {
    const ticket = this.ticket = (this.ticket || 0) + 1;
    const q = this.query();
    document.getElementById("export").href = "/api/v1/incidents/export?" + q.toString();
    q.set("limit", "1000");
    const incidents = await Api.get("/api/v1/incidents?" + q.toString());
    if (ticket !== this.ticket) return;
    this.incidents = incidents;
    this.render();
    await this.loadFigures();
  },

  async loadFigures() {
    const ticket = this.figuresTicket = (this.figuresTicket || 0) + 1;
    const q = this.query();
    const figures = new URLSearchParams({ by: this.by });
    for (const name of ["since", "until", "zone"]) if (q.get(name)) figures.set(name, q.get(name));
    const answer = await Api.get("/api/v1/stats?" + figures.toString());
    if (ticket !== this.figuresTicket) return;
    this.figures = answer;
    for (const button of document.querySelectorAll(".switch button")) button.classList.toggle("on", button.dataset.by === this.by);
    this.renderFigures();
  },

  render() {
    const head = ["opened", "resident", "kind", "priority", "state", "who_has_it", "to_accept", "to_resolve", "outcome"];
    document.querySelector("#incident-table thead").replaceChildren(el("tr", {}, head.map((k) => el("th", {}, I18N.t(k)))));
    document.getElementById("count").textContent = `(${this.incidents.length})`;
    document.getElementById("no-results").hidden = this.incidents.length > 0;
    document.querySelector("#incident-table tbody").replaceChildren(...this.incidents.map((i) => {
      const go = () => location.assign("/review/" + encodeURIComponent(i.id));
      return el("tr", { class: "clickable", "data-id": i.id, onclick: go },
        el("td", {}, el("a", { href: "/review/" + encodeURIComponent(i.id) }, I18N.time(i.opened_at, true))),
        el("td", {}, i.resident_name ? `${i.resident_name} · ${i.room}` : (i.device || "–")),
        el("td", {}, I18N.t("kinds." + i.kind), i.exercise ? ` (${I18N.t("drill")})` : ""),
        el("td", {}, el("span", { class: "badge p-" + i.priority }, I18N.t("priorities." + i.priority))),
        el("td", {}, I18N.t("states." + i.state)),
        el("td", {}, i.accepted_by_name || "–"),
        el("td", { class: "num" }, seconds(i.times.accepted)),
        el("td", { class: "num" }, seconds(i.times.resolved)),
        el("td", {}, i.outcome ? I18N.t("outcomes." + i.outcome) : "–"));
    }));
  },

  renderFigures() {
    if (!this.figures) return;
    const head = el("tr", {}, el("th", {}, I18N.t("group")), el("th", {}, I18N.t("count")),
      MILESTONES.map(([, label]) => [
        el("th", {}, `${I18N.t(label)} ${I18N.t("median")}`),
        el("th", {}, `${I18N.t(label)} ${I18N.t("p90")}`)]),
      el("th", {}, I18N.t("per_resident_night")), el("th", {}, I18N.t("false_share")));
    document.querySelector("#figures-table thead").replaceChildren(head);
    document.querySelector("#figures-table tbody").replaceChildren(...this.figures.groups.map((g) =>
      el("tr", {},
        el("td", {}, g.group),
        el("td", { class: "num" }, g.incidents),
        MILESTONES.map(([name]) => [
          el("td", { class: "num" }, seconds(g[`${name}_median_s`])),
          el("td", { class: "num" }, seconds(g[`${name}_p90_s`]))]),
        el("td", { class: "num" }, g.alarms_per_resident_night == null ? "–" : g.alarms_per_resident_night.toFixed(3)),
        el("td", { class: "num" }, g.false_alarm_share == null ? "–" : `${(100 * g.false_alarm_share).toFixed(0)}%`))));
  },
};

document.addEventListener("DOMContentLoaded", () => {
  Review.start().catch((e) => console.error("[shouhu] review failed to start", e));
});
