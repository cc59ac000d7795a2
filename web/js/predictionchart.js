// A scored job's prediction distribution (its `prediction_distribution`: class counts, or a
// regressor's histogram) as an SVG bar chart drawn here, beside a download of the workbook.
import { h } from "./dom.js";
import { formatCount } from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 480;
const HEIGHT = 220;
const MARGIN = { top: 22, right: 12, bottom: 44, left: 12 };

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

/** The bars of a job: `[{label, count}]`, or [] when the job has no distribution. */
export function predictionBars(job) {
  const bins = job?.prediction_distribution?.bins;
  if (!Array.isArray(bins)) return [];
  return bins.map((bin) => ({ label: String(bin.label), count: Number(bin.count) || 0 }));
}

/** An accessible SVG bar chart of `bars`; each bar carries its label and count as data. */
export function predictionChart(bars, { title }) {
  const most = Math.max(1, ...bars.map((bar) => bar.count));
  const total = bars.reduce((sum, bar) => sum + bar.count, 0);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.max(2, slot * 0.7);
  const summary = bars.map((bar) => `${bar.label}: ${formatCount(bar.count)}`).join(", ");
  const chart = svg(
    "svg",
    {
      class: "prediction-chart",
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-label": `${title}: ${summary}`,
    },
    svg("title", {}, `${title}: ${summary}`),
  );
  bars.forEach((bar, index) => {
    const height = (bar.count / most) * plotHeight;
    const x = MARGIN.left + index * slot + (slot - barWidth) / 2;
    const y = MARGIN.top + plotHeight - height;
    const share = total ? Math.round((bar.count / total) * 1000) / 10 : 0;
    chart.append(
      svg(
        "g",
        { class: "prediction-chart__bar", "data-label": bar.label, "data-count": bar.count },
        svg("rect", { x, y, width: barWidth, height: Math.max(height, bar.count ? 1 : 0), rx: 2 }),
        svg("text", { x: x + barWidth / 2, y: y - 6, "text-anchor": "middle", class: "prediction-chart__count" },
          `${formatCount(bar.count)} (${share}%)`),
        svg("text", { x: x + barWidth / 2, y: HEIGHT - MARGIN.bottom + 16, "text-anchor": "middle", class: "prediction-chart__label" },
          bars.length > 6 ? bar.label.replace(/ to .*/, "") : bar.label),
      ),
    );
  });
  chart.append(
    svg("line", {
      x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: MARGIN.top + plotHeight, y2: MARGIN.top + plotHeight,
      class: "prediction-chart__axis",
    }),
  );
  return chart;
}

/** The job dialog's section: the chart, and the workbook's download next to it. */
export function predictionSection(job, { api, download }) {
  const bars = predictionBars(job);
  if (job.status !== "SUCCEEDED" || bars.length === 0) return null;
  const kind = job.prediction_distribution.kind;
  const title = kind === "histogram" ? "Predicted values (rows per range)" : "Predicted class (rows)";
  const button = h(
    "button",
    { type: "button", class: "button button--primary button--small", onclick: () => download(job, api) },
    "Download result",
  );
  return h(
    "section",
    { class: "prediction-summary", id: "job-predictions", "aria-labelledby": "job-predictions-title" },
    h("h3", { id: "job-predictions-title" }, "Predictions"),
    h("div", { class: "prediction-summary__body" }, predictionChart(bars, { title }), h("div", { class: "prediction-summary__actions" }, button)),
  );
}

/** Fetch the result's link and let the browser download it. */
export async function downloadResult(job, api) {
  const { url } = await api.getResult(job.job_id);
  const link = h("a", { href: url, download: `${job.filename.replace(/\.csv$/i, "")}.xlsx`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}
