// The Details cell of a job: what it is waiting for, its progress, or why it failed, with a
// way into the full view (js/jobview.js) when there is more to read than fits in a row.
import { h } from "./dom.js";
import { formatCount } from "./format.js";

export const MAX_ERRORS_SHOWN = 5;

/** `showJob(job)` opens the full view of the job (every problem and warning). */
export function renderDetails(job, { showJob = null } = {}) {
  const total = job.rows_total ?? 0;
  const done = job.rows_done ?? 0;
  switch (job.status) {
    case "AWAITING_UPLOAD":
      return h("span", { class: "muted" }, "Waiting for the upload to finish");
    case "QUEUED":
      if (job.error) {
        return h("span", { class: "muted" }, `Retrying after an error: ${job.error.message}`);
      }
      return h(
        "span",
        { class: "muted" },
        total ? `${formatCount(total)} rows, waiting to start` : "Checked, waiting to start",
      );
    case "PROCESSING":
      return renderProgress(job, done, total);
    case "SUCCEEDED":
      return h(
        "div",
        { class: "details-stack" },
        h("span", {}, `${formatCount(done || total)} rows scored`),
        renderWarningCount(job, showJob),
      );
    case "FAILED":
    case "REJECTED":
      return renderError(job, showJob);
    default:
      return null;
  }
}

function renderProgress(job, done, total) {
  const percent = total ? Math.min(100, Math.floor((100 * done) / total)) : 0;
  const text = total
    ? `${formatCount(done)} / ${formatCount(total)} rows · ${percent}%`
    : `${formatCount(done)} rows`;
  return h(
    "div",
    { class: "progress" },
    h("progress", {
      max: total || 1,
      value: total ? Math.min(done, total) : 0,
      "aria-label": `Rows scored in ${job.filename}`,
      "aria-valuetext": text,
    }),
    h("span", { class: "progress__text" }, text),
  );
}

/** `warnings_total` counts every warning; `warnings` lists the first ones (at most 1,000). */
export function warningCount(job) {
  return Math.max(job.warnings_total ?? 0, (job.warnings || []).length);
}

function renderWarningCount(job, showJob) {
  const count = warningCount(job);
  if (count === 0) return null;
  const label = `${formatCount(count)} warning${count === 1 ? "" : "s"}`;
  if (!showJob) return h("span", { class: "warning-text" }, label);
  return h(
    "button",
    {
      type: "button",
      class: "button button--link warning-text",
      "aria-label": `${label} in ${job.filename}: show them`,
      onclick: () => showJob(job),
    },
    label,
  );
}

function renderError(job, showJob) {
  const { error } = job;
  if (!error) return h("span", { class: "error-text" }, "No details were recorded.");
  const details = problemsOf(error);
  const shown = details.slice(0, MAX_ERRORS_SHOWN);
  const more = details.length - shown.length;
  return h(
    "div",
    { class: "error-report" },
    h("p", { class: "error-text" }, error.message),
    shown.length > 0 && h("ul", { class: "error-list", "aria-label": "Errors" }, shown.map(problemItem)),
    more > 0 &&
      showJob &&
      h(
        "button",
        {
          type: "button",
          class: "button button--link",
          "aria-label": `Show all ${formatCount(details.length)} problems in ${job.filename}`,
          onclick: () => showJob(job),
        },
        `Show all ${formatCount(details.length)} problems`,
      ),
  );
}

/** The error's details that say more than its message (a placeless repeat is left out). */
export function problemsOf(error) {
  const placed = (detail) => (detail.line ?? null) !== null || Boolean(detail.column);
  return (error?.details || []).filter(
    (detail) => placed(detail) || !String(error.message || "").includes(detail.message),
  );
}

/** One problem or warning: "Line 3, column “age”: not a number". */
export function problemItem(detail) {
  return h("li", {}, h("span", { class: "error-where" }, where(detail)), " ", withoutPlace(detail));
}

function where({ line, column }) {
  const parts = [];
  if (line !== null && line !== undefined) parts.push(`Line ${line}`);
  if (column) parts.push(`column “${column}”`);
  return parts.length > 0 ? `${parts.join(", ")}:` : "";
}

/** The message without a leading "line 3, column 'x':" that the list already shows. */
function withoutPlace({ line, message }) {
  return line === null || line === undefined
    ? message
    : message.replace(/^line \d+(, column '[^']*')?:\s*/i, "");
}
