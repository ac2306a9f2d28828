// Talking to the server: the session, CSRF, and the page header every page shares.
"use strict";

const Api = {
  session: null,

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && this.session) headers["X-CSRF-Token"] = this.session.csrf_token;
    const response = await fetch(path, {
      method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      throw new Error("signed out");
    }
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
      throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
    }
    return response.status === 204 ? null : response.json();
  },
  get(path) { return this.request("GET", path); },
  post(path, body) { return this.request("POST", path, body === undefined ? {} : body); },

  // Load the session, set the facility's time zone, draw the header.
  async start(page) {
    this.session = await this.get("/api/v1/session");
    const facilities = await this.get("/api/v1/facilities");
    this.facility = facilities[0];
    I18N.tz = this.facility.timezone;
    drawHeader(page, this.session);
    I18N.apply();
    return this.session;
  },
};

const PAGES_BY_ROLE = {
  nurse: ["board"],
  charge_nurse: ["board", "review"],
  manager: ["board", "review", "audit"],
  admin: ["audit"],
};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "i18n") node.dataset.i18n = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function drawHeader(page, session) {
  const header = document.getElementById("top");
  header.replaceChildren(
    el("a", { class: "brand", href: "/" }, "守护 ", el("span", { class: "brand-en" }, "Shouhu")),
    el("nav", {}, PAGES_BY_ROLE[session.user.role].map((name) =>
      el("a", { href: "/" + name, class: name === page ? "current" : null, i18n: name }, I18N.t(name)))),
    el("span", { class: "who", id: "who" }, session.user.name),
    el("button", { type: "button", class: "lang", id: "lang", onclick: () => I18N.toggle(), i18n: "lang_switch" }, I18N.t("lang_switch")),
    el("button", { type: "button", class: "signout", id: "signout", i18n: "sign_out", onclick: async () => {
      await Api.request("DELETE", "/api/v1/session");
      location.assign("/login");
    } }, I18N.t("sign_out")),
  );
}
