// The vitals snapshot around an alert, drawn as SVG: one panel per vital sign, a shared
// time axis in minutes from the alert, the alert and each response step marked.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const SERIES = [
  { name: "hr", unit: "bpm", floor: [50, 110] },
  { name: "spo2", unit: "%", floor: [88, 100] },
  { name: "rr", unit: "/min", floor: [8, 24] },
  { name: "skin_temp", unit: "°C", floor: [35, 38] },
];
const MAX_POINTS = 600;

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// Keep at most MAX_POINTS per line: the mean of each time bucket.
function thin(points) {
  if (points.length <= MAX_POINTS) return points;
  const size = Math.ceil(points.length / MAX_POINTS);
  const out = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push([bucket.reduce((s, p) => s + p[0], 0) / bucket.length, bucket.reduce((s, p) => s + p[1], 0) / bucket.length]);
  }
  return out;
}

function drawVitalsChart(container, legend, rows, alertTs, marks) {
  const present = SERIES.filter((s) => rows.some((r) => typeof r[s.name] === "number"));
  container.replaceChildren();
  legend.replaceChildren();
  if (!present.length) {
    container.append(el("p", { class: "muted", id: "no-vitals" }, I18N.t("no_vitals_snapshot")));
    return null;
  }
  const W = 800, left = 64, right = 16, panel = 92, gap = 14, top = 22, axis = 26;
  const H = top + present.length * (panel + gap) + axis;
  const t0 = Math.min(alertTs - 30, ...rows.map((r) => r.ts));
  const t1 = Math.max(alertTs + 30, ...rows.map((r) => r.ts));
  const x = (ts) => left + (W - left - right) * (ts - t0) / (t1 - t0);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", id: "vitals-chart",
    "aria-label": I18N.t("vitals_chart") });

  present.forEach((series, index) => {
    const y0 = top + index * (panel + gap);
    const values = rows.filter((r) => typeof r[series.name] === "number").map((r) => r[series.name]);
    const lo = Math.min(series.floor[0], ...values), hi = Math.max(series.floor[1], ...values);
    const y = (v) => y0 + panel - (panel * (v - lo)) / (hi - lo || 1);
    chart.append(
      svg("rect", { x: left, y: y0, width: W - left - right, height: panel, fill: "none", class: "grid" }),
      svg("text", { x: 4, y: y0 + 14 }, `${I18N.t("vital." + series.name)}`),
      svg("text", { x: 4, y: y0 + 28 }, series.unit),
      svg("text", { x: left - 6, y: y(hi) + 10, "text-anchor": "end" }, Math.round(hi)),
      svg("text", { x: left - 6, y: y(lo) - 2, "text-anchor": "end" }, Math.round(lo)));
    const devices = [...new Set(rows.filter((r) => typeof r[series.name] === "number").map((r) => r.device))];
    devices.forEach((device, n) => {
      const points = thin(rows.filter((r) => r.device === device && typeof r[series.name] === "number")
        .map((r) => [r.ts, r[series.name]]));
      chart.append(svg("polyline", {
        class: `series c-${series.name}`, "data-series": series.name, "data-device": device,
        "stroke-dasharray": n ? "6 4" : "none",
        points: points.map(([ts, v]) => `${x(ts).toFixed(1)},${y(v).toFixed(1)}`).join(" "),
      }));
    });
    legend.append(el("span", { class: "c-" + series.name }, `${I18N.t("vital." + series.name)} (${devices.join(", ")})`));
  });

  const bottom = top + present.length * (panel + gap) - gap;
  const span = t1 - t0;
  const step = span > 3600 ? 600 : span > 900 ? 300 : span > 300 ? 60 : 30;
  for (let t = Math.ceil((t0 - alertTs) / step) * step; alertTs + t <= t1; t += step) {
    const label = t === 0 ? "0" : `${t > 0 ? "+" : "−"}${Math.abs(t) >= 60 ? Math.abs(t) / 60 + " min" : Math.abs(t) + " s"}`;
    chart.append(svg("text", { x: x(alertTs + t), y: bottom + 18, "text-anchor": "middle" }, label));
  }
  for (const mark of marks) {
    if (mark.ts < t0 || mark.ts > t1) continue;
    chart.append(svg("line", { x1: x(mark.ts), x2: x(mark.ts), y1: top - 6, y2: bottom, class: "grid", "stroke-dasharray": "2 3" }));
  }
  chart.append(
    svg("line", { x1: x(alertTs), x2: x(alertTs), y1: top - 10, y2: bottom, class: "alert-line" }),
    svg("text", { x: x(alertTs), y: top - 10, "text-anchor": "middle", class: "alert-label" }, I18N.t("alert_time")));
  container.append(chart);
  return chart;
}
