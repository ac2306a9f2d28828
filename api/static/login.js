"use strict";

document.addEventListener("DOMContentLoaded", () => {
  I18N.apply();
  document.getElementById("lang").addEventListener("click", () => I18N.toggle());
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const button = document.getElementById("sign-in");
    button.disabled = true;
    try {
      const response = await fetch("/api/v1/session", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({
          username: document.getElementById("username").value.trim(),
          password: document.getElementById("password").value,
        }),
      });
      if (!response.ok) {
        error.textContent = I18N.t(response.status === 429 ? "too_many" : "wrong_password");
        error.hidden = false;
        return;
      }
      const next = new URLSearchParams(location.search).get("next");
      // Only a path on this site: never an open redirect.
      location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
    } finally {
      button.disabled = false;
    }
  });
});
