// The audit log, read-only: who read or changed which resident's data.
"use strict";

const AuditPage = {
  async start() {
    await Api.start("audit");
    document.getElementById("audit-filters").addEventListener("submit", (e) => { e.preventDefault(); this.load(); });
    document.addEventListener("languagechange", () => this.render());
    await this.load();
  },

  async load() {
    const q = new URLSearchParams({ limit: "500" });
    for (const name of ["resident", "username"]) {
      const value = document.getElementById("a-" + name).value.trim();
      if (value) q.set(name, value);
    }
    this.entries = await Api.get("/api/v1/audit?" + q.toString());
    this.render();
  },

  render() {
    const head = ["when", "who", "action", "resident", "incidents", "client"];
    document.querySelector("#audit-table thead").replaceChildren(el("tr", {}, head.map((k) => el("th", {}, I18N.t(k)))));
    document.querySelector("#audit-table tbody").replaceChildren(...this.entries.map((e) => el("tr", {},
      el("td", {}, I18N.time(e.ts, true)),
      el("td", {}, `${e.username} (${e.role})`),
      el("td", {}, I18N.t("actions." + e.action)),
      el("td", {}, e.resident || "–"),
      el("td", {}, e.incident ? el("a", { href: "/review/" + encodeURIComponent(e.incident) }, e.incident) : "–"),
      el("td", {}, e.client))));
  },
};

document.addEventListener("DOMContentLoaded", () => {
  AuditPage.start().catch((e) => console.error("[shouhu] audit page failed", e));
});
