// One incident, step by step: facts, the vitals around the alert, the timeline.
"use strict";

const Incident = {
  async start() {
    await Api.start("review");
    const id = decodeURIComponent(location.pathname.split("/").pop());
    const [incident, staff] = await Promise.all([
      Api.get("/api/v1/incidents/" + encodeURIComponent(id)),
      Api.get("/api/v1/staff"),
    ]);
    this.incident = incident;
    this.staff = Object.fromEntries(staff.map((s) => [s.id, s.name]));
    if (Api.session.user.role === "nurse") document.getElementById("back").href = "/board";
    document.addEventListener("languagechange", () => this.render());
    this.render();
  },

  render() {
    const i = this.incident;
    document.getElementById("title").textContent =
      `${I18N.t("kinds." + i.kind)} · ${i.resident_name || i.device || ""}`;
    const facts = [
      ["resident", i.resident_name ? `${i.resident_name} · ${I18N.t("room", { room: i.room })}${i.bed ? " " + I18N.t("bed", { bed: i.bed }) : ""}` : "–"],
      ["priority", I18N.t("priorities." + i.priority)],
      ["state", I18N.t("states." + i.state)],
      ["opened", I18N.time(i.opened_at, true)],
      ["evidence", I18N.pick(i.evidence_i18n, i.evidence)],
      ["who_has_it", i.accepted_by_name || "–"],
      ["outcome", i.outcome ? I18N.t("outcomes." + i.outcome) : "–"],
      ["note", i.note || "–"],
    ];
    document.getElementById("facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, I18N.t(k)), el("dd", { "data-fact": k }, v)]));
    const marks = i.timeline.filter((e) => ["accepted", "arrived", "resolved"].includes(e.type));
    drawVitalsChart(document.getElementById("chart"), document.getElementById("legend"), i.vitals, i.opened_at, marks);
    document.getElementById("timeline").replaceChildren(...i.timeline.map((e) => el("li", { class: "t-" + e.type, "data-type": e.type },
      el("span", { class: "t-when" }, I18N.time(e.ts), ` (+${Math.max(0, e.ts - i.opened_at).toFixed(1)} s)`),
      el("strong", {}, I18N.t("events." + e.type)),
      e.actor ? ` · ${e.actor === "system" ? I18N.t("system") : this.staff[e.actor] || e.actor}` : "",
      e.channel ? ` · ${e.channel}` : "",
      this.detail(e))));
  },

  detail(event) {
    const d = event.detail || {};
    const parts = [];
    if (d.evidence) parts.push(I18N.pick(event.evidence_i18n, d.evidence));
    if (d.outcome) parts.push(I18N.t("outcomes." + d.outcome));
    if (d.note) parts.push(d.note);
    if (d.reason) parts.push(d.reason);
    return parts.length ? el("div", { class: "t-detail" }, parts.join(" · ")) : null;
  },
};

document.addEventListener("DOMContentLoaded", () => {
  Incident.start().catch((e) => console.error("[shouhu] incident page failed", e));
});
