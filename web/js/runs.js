// Retraining runs of a model (GET /models/{name}/runs), newest first: when and why each ran,
// what it decided, the accuracy gate's checks, and why a run failed or kept the champion.
import { h } from "./dom.js";
import { formatDateTime } from "./format.js";
import { columnHeader, modelsTable } from "./modelstable.js";

const metricFormat = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 });

const OUTCOME = {
  RUNNING: "running",
  PROMOTED: "promoted: the candidate is the champion",
  KEPT_CHAMPION: "champion kept",
  FAILED: "failed",
};

/** One sentence: why the run ended as it did. */
export function runSummary(run) {
  if (run.status === "FAILED") return `Failed: ${run.error?.message || "no reason given"}`;
  if (run.status === "RUNNING") return "Training…";
  const failed = (run.gate?.checks || []).filter((check) => !check.passed);
  if (run.status === "KEPT_CHAMPION") {
    return `Champion kept: ${failed.map((check) => `${check.name} (${check.detail})`).join("; ")}`;
  }
  return `Promoted ${run.candidate_version} over ${run.champion_version}`;
}

function metricLine(metrics = {}) {
  const names = Object.keys(metrics);
  return names.length ? names.map((name) => `${name} ${metricFormat.format(metrics[name])}`).join(" · ") : "—";
}

function renderChecks(run) {
  const checks = run.gate?.checks || [];
  if (!checks.length) return h("span", { class: "muted" }, "no gate (the run ended before it)");
  return h(
    "ul",
    { class: "runs__checks" },
    checks.map((check) =>
      h(
        "li",
        { class: check.passed ? "runs__check runs__check--ok" : "runs__check runs__check--failed" },
        h("strong", {}, `${check.passed ? "✓" : "✗"} ${check.name}`),
        ` ${check.detail}`,
      ),
    ),
  );
}

export function renderRuns(runs, { onRetrain } = {}) {
  return h(
    "section",
    { class: "models__runs", "aria-labelledby": "runs-title" },
    h("h4", { id: "runs-title" }, "Retraining runs"),
    onRetrain && h("button", { type: "button", class: "button button--ghost", onclick: onRetrain }, "Retrain now"),
    runs.length === 0
      ? h("p", { class: "muted" }, "No retraining run yet.")
      : modelsTable(
          { "aria-labelledby": "runs-title" },
          ["Started", "Trigger", "Outcome", "Why", "Metrics (candidate / champion)", "Gate"].map(columnHeader),
          runs.map((run) =>
            h(
              "tr",
              { role: "row", "data-run": run.run_id, "data-status": run.status },
              h("td", { role: "cell", class: "cell-time" }, h("time", { datetime: run.started_at }, formatDateTime(run.started_at))),
              h("td", { role: "cell" }, run.trigger),
              h("td", { role: "cell" }, OUTCOME[run.status] || run.status),
              h("td", { role: "cell", class: "runs__why" }, runSummary(run)),
              h(
                "td",
                { role: "cell" },
                `${metricLine(run.metrics?.candidate)} / ${metricLine(run.metrics?.champion)}`,
              ),
              h("td", { role: "cell" }, renderChecks(run)),
            ),
          ),
        ),
  );
}
