// The job's drift (docs/drift.md) in the details view: its status, and per feature a bar of
// its measure beside a mark at its threshold, drawn as SVG here (no chart library).
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
export const MAX_BARS = 12; // the most severe features; the rest are summarised in a line
const WIDTH = 640;
const LABEL_WIDTH = 210;
const VALUE_WIDTH = 120;
const ROW = 22;
const BAR = 14;
const COLOURS = { drift: "#b42318", warning: "#b54708", ok: "#2e7d4f", unavailable: "#8a93a6" };
const HEADINGS = {
  ok: "Drift: none, the data looks like the training data",
  warning: "Drift: warning, some features differ from the training data",
  drift: "Drift: this data is unlike the training data",
  unavailable: "Drift: not measured",
};

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

function number(value) {
  return typeof value === "number" ? value.toFixed(3) : "–";
}

/** The drift section of a job's details, or null for a job not (yet) measured. */
export function driftSection(drift) {
  if (!drift || !drift.status) return null;
  const status = HEADINGS[drift.status] ? drift.status : "unavailable";
  const children = [h("h3", { id: "job-drift-title" }, HEADINGS[status])];
  const features = Array.isArray(drift.features) ? drift.features : [];
  if (status === "unavailable" || features.length === 0) {
    children.push(
      h("p", { class: "muted small" }, "The model version has no reference statistics of its training data."),
    );
    return h("section", { class: "drift", id: "job-drift", "aria-labelledby": "job-drift-title" }, children);
  }
  const flagged = features.filter((feature) => feature.status !== "ok");
  const prediction = drift.prediction || {};
  children.push(
    h(
      "p",
      { class: "muted small" },
      flagged.length
        ? `Differ from training: ${flagged.map((feature) => `${feature.name} (${feature.status})`).join(", ")}. `
        : "Every feature is within its threshold. ",
      prediction.measure
        ? `Predictions: ${prediction.measure.toUpperCase()} ${number(prediction.value)} (${prediction.status}).`
        : "Predictions: not compared.",
    ),
  );
  children.push(driftChart(features.slice(0, MAX_BARS)));
  if (features.length > MAX_BARS) {
    const rest = features.slice(MAX_BARS);
    const restFlagged = rest.filter((feature) => feature.status !== "ok").length;
    children.push(
      h(
        "p",
        { class: "muted small" },
        `${rest.length} more features, ${restFlagged ? `${restFlagged} of them flagged` : "all within their thresholds"}.`,
      ),
    );
  }
  return h("section", { class: "drift", id: "job-drift", "aria-labelledby": "job-drift-title" }, children);
}

/** Per feature: its value as a bar, its threshold as a dark mark, on one scale. */
export function driftChart(features) {
  const scale = Math.max(...features.map((f) => Math.max(f.value || 0, f.threshold || 0)), 1e-9) * 1.1;
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = features.length * ROW + 4;
  const x = (value) => LABEL_WIDTH + (Math.max(value || 0, 0) / scale) * span;
  const described = features
    .map((f) => `${f.name}: ${f.measure} ${number(f.value)}, threshold ${number(f.threshold)}, ${f.status}`)
    .join("; ");
  const chart = svg("svg", {
    class: "drift-chart",
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: "100%",
    role: "img",
    "aria-label": `Drift per feature, value against threshold: ${described}`,
  });
  features.forEach((feature, index) => {
    const top = index * ROW + 2;
    const middle = top + ROW / 2;
    const colour = COLOURS[feature.status] || COLOURS.unavailable;
    const label = feature.name.length > 30 ? `${feature.name.slice(0, 29)}…` : feature.name;
    chart.append(
      svg(
        "g",
        { class: `drift-row drift-row--${feature.status}`, "data-feature": feature.name },
        svg("title", {}, `${feature.name}: ${number(feature.value)} (threshold ${number(feature.threshold)})`),
        svg("text", { x: LABEL_WIDTH - 8, y: middle + 4, "text-anchor": "end", "font-size": 12 }, label),
        svg("rect", {
          class: "drift-bar",
          x: LABEL_WIDTH,
          y: middle - BAR / 2,
          width: Math.max(x(feature.value) - LABEL_WIDTH, 1),
          height: BAR,
          fill: colour,
          rx: 2,
        }),
        svg("line", {
          class: "drift-threshold",
          x1: x(feature.threshold),
          x2: x(feature.threshold),
          y1: top + 1,
          y2: top + ROW - 1,
          stroke: "#1d2433",
          "stroke-width": 2,
        }),
        svg(
          "text",
          { x: WIDTH - VALUE_WIDTH + 8, y: middle + 4, "font-size": 12 },
          `${number(feature.value)} / ${number(feature.threshold)}`,
        ),
      ),
    );
  });
  return chart;
}
